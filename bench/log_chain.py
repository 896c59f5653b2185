"""Time what the tamper-evident log chain (audit.chain) adds to each log row.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/log_chain.py [--rows 1000] [--batch 50]

Writes access-log rows three ways, each timed best of --repeat (default 5):

- single: one row per append (`log_access`, as a detail page does), through
  the model (chain: lock the heads, HMAC, insert, move the head) and, as the
  baseline, the same INSERT without the chain;
- bulk: --batch rows per append (`bulk_create`, as a list page's one insert
  does), with and without the chain.

Prints the time per row and the chain's extra cost per row. Each append
is its own transaction, as in production (one long transaction would
measure the head row's growing version chain instead). Log rows cannot be
removed, so the bench creates a throwaway database (test_<name>, as the
test runner does), migrates it, and drops it at the end: the database named
by DATABASE_URL is not touched. PostgreSQL only; needs the right to create
databases (the baseline also switches the chain-head trigger off there).
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, models

    from accounts.models import User
    from audit.models import AccessLogEntry

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL (a role that may create databases).")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, connection, models, User, AccessLogEntry)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, connection, models, User, AccessLogEntry):
    user = User.objects.create(username="bench-user")

    fake_seq = [10**12]

    def row(chained):
        entry = AccessLogEntry(user=user, action="view", client_id=1, client_label="Fiktiv Person",
                               client_number="191212121212", object_type="referrals.client",
                               object_id="1", path="/klienter/1/", ip_address="10.0.0.7")
        if not chained:
            # Baseline: the same row, with made-up chain values far beyond
            # the real chain (rolled back anyway).
            fake_seq[0] += 1
            entry.chain_seq, entry.chain_hash = fake_seq[0], "0" * 64
        return entry

    plain = models.QuerySet(AccessLogEntry)

    def single(chained):
        for _ in range(args.rows):
            entry = row(chained)
            if chained:
                entry.save()
            else:
                models.Model.save(entry)

    def bulk(chained):
        for _ in range(args.rows // args.batch):
            rows = [row(chained) for _ in range(args.batch)]
            if chained:
                AccessLogEntry.objects.bulk_create(rows)
            else:
                plain.bulk_create(rows)

    def chain_trigger(enabled):
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE audit_accesslogentry {'ENABLE' if enabled else 'DISABLE'} "
                "TRIGGER audit_accesslogentry_chain_head"
            )

    def best(function, chained):
        chain_trigger(chained)
        times = []
        function(chained)  # warm-up
        for _ in range(args.repeat):
            started = time.perf_counter()
            function(chained)
            times.append(time.perf_counter() - started)
        return min(times)

    results = {}
    for name, function in (("single", single), ("bulk", bulk)):
        results[name] = (best(function, False), best(function, True))
    chain_trigger(True)

    print(f"{connection.vendor}, {args.rows} rows per run, bulk batches of {args.batch}, best of {args.repeat}")
    for name, (without, with_chain) in results.items():
        per_row_without = without / args.rows * 1e6
        per_row_with = with_chain / args.rows * 1e6
        print(
            f"{name:>6}: {per_row_without:8.1f} µs/row without the chain, {per_row_with:8.1f} µs/row with it, "
            f"+{per_row_with - per_row_without:.1f} µs/row (×{with_chain / without:.2f})"
        )


if __name__ == "__main__":
    main()
