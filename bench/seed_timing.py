"""Time `seed_demo --scale national` on a fresh database.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/seed_timing.py
    DATABASE_URL=sqlite:////tmp/bolots_bench.sqlite3 .venv/bin/python bench/seed_timing.py

The database named in DATABASE_URL is dropped and recreated (PostgreSQL) or
deleted (SQLite) first: never point it at data you want to keep.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def fresh_database(url):
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args):
    env = dict(os.environ, DEBUG="1")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def main():
    url = os.environ.get("DATABASE_URL")
    if not url or "bench" not in url:
        sys.exit("Set DATABASE_URL to a throw-away database whose name contains 'bench'.")
    scale = sys.argv[1] if len(sys.argv) > 1 else "national"
    fresh_database(url)
    manage("migrate", "--noinput")
    started = time.perf_counter()
    output = manage("seed_demo", "--scale", scale)
    print(f"seed_demo --scale {scale}: {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    # Each area's time as seed_demo printed it (the demo logins are left out).
    areas = [line.strip() for line in output.splitlines() if line.startswith("  ") and line.endswith(" s")]
    print("  " + ", ".join(areas))


if __name__ == "__main__":
    main()
