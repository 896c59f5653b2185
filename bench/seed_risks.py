"""Time the demo's risk step both ways on a national database: the
migration's rule (referrals.models.risks.apply_latest_order_risks, a
bulk_update) and the demo's one UPDATE (demo.risks.latest_order_risks).

    DATABASE_URL=postgres:///bolots_kpis_bench .venv/bin/python bench/seed_risks.py

Each runs inside a transaction that is rolled back: the database is not
changed. Refuses a database whose name does not contain 'bench'.
"""

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
    import django

    django.setup()
    from django.db import connection, transaction

    from demo.risks import latest_order_risks
    from referrals.models import Client, Order
    from referrals.models.risks import apply_latest_order_risks

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Point DATABASE_URL at a bench database (its name contains 'bench').")
    runs = (
        ("apply_latest_order_risks (bulk_update)", lambda: apply_latest_order_risks(Client, Order)),
        ("latest_order_risks (one UPDATE)", latest_order_risks),
    )
    for name, run in runs:
        with transaction.atomic():
            started = time.perf_counter()
            updated = run()
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        print(f"{name}: {updated} clients in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
