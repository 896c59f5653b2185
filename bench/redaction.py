"""Time the redaction of one culled person's access log (audit.redaction).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/redaction.py [--rows 10000]

Appends --rows access-log rows naming one fictional person (an id no client
has), then times `redact_client` (it checks each row's link, records the
digests and overwrites the two columns) and the verification of the chain
afterwards, and prints the times and the statements of the redaction.
Everything runs in a transaction that is rolled back: the database and its
chains are left as they were. Needs a migrated database (any data).
"""

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "SECRET_KEY" not in os.environ:
    os.environ.setdefault("DEBUG", "1")

FICTIONAL_ID = 9_999_999_001


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from audit.chain import verify_chain
    from audit.models import AccessLogEntry
    from audit.redaction import redact_client

    user = User.objects.order_by("pk").first()
    try:
        with transaction.atomic():
            AccessLogEntry.objects.bulk_create([
                AccessLogEntry(user=user, action="view", client_id=FICTIONAL_ID, client_label="Fiktiv Benchperson",
                               client_number="197001019999", object_type="referrals.client", path="/klienter/x/")
                for _ in range(options.rows)
            ], batch_size=2000)
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                redacted = redact_client(FICTIONAL_ID, "G-BENCH-0001")
                redaction = time.perf_counter() - started
            started = time.perf_counter()
            intact = verify_chain(AccessLogEntry).ok
            verification = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    print(f"{connection.vendor}: {redacted} rows redacted in {redaction:.2f} s, {len(queries)} statements; "
          f"access-log chain verified {'intact' if intact else 'BROKEN'} in {verification:.2f} s (rolled back)")


if __name__ == "__main__":
    main()
