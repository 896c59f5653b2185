"""Print a DATABASE_URL for a reachable PostgreSQL server whose role may
create databases (the test run creates test_bolots), or nothing.

Tried in order: $DATABASE_URL when it is a PostgreSQL URL, the local socket
as the current OS user, then 127.0.0.1:5432 as the users "postgres" and the
current OS user.
"""

import getpass
import os
import sys

import psycopg

CANDIDATES = [
    "postgres:///bolots",
    "postgres://postgres@127.0.0.1:5432/bolots",
    f"postgres://{getpass.getuser()}@127.0.0.1:5432/bolots",
]


def usable(url):
    # Connect to the maintenance database; the test run creates its own.
    conninfo = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(conninfo, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def main():
    explicit = os.environ.get("DATABASE_URL", "")
    candidates = [explicit] if explicit.startswith(("postgres://", "postgresql://")) else CANDIDATES
    for url in candidates:
        if usable(url):
            print(url)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
