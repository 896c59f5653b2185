"""Time the monthly rent run (rent.services.runs.run_month) for every unit
of a national-scale database, then run it again (idempotent: nothing new).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/rent_run.py [--period 2027-01] [--keep]

Every unit gets rent settings if it has none. The runs happen inside one
transaction that is rolled back at the end (unless --keep), so the
benchmark can be repeated on the same database. Budget (DESIGN.md): the
run for the whole country under 30 s on PostgreSQL.

Bench only: refuses unless the database is PostgreSQL and its name contains
'bench'.
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

BUDGET_SECONDS = 30


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="YYYY-MM; default: next month")
    parser.add_argument("--keep", action="store_true", help="keep the notices made (no rollback)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, reset_queries, transaction
    from django.utils import timezone

    from accounts.models import Unit
    from rent.models import NoticeLine, RentNotice, RentSettings
    from rent.services.runs import month_end, next_period, parse_month, run_month
    from tenancies.models import Tenancy

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in str(name):
        sys.exit(f"Refusing: {connection.vendor} database {name!r} is not a PostgreSQL bench database "
                 "(its name must contain 'bench').")
    period = parse_month(args.period) if args.period else next_period(timezone.localdate())
    if period is None:
        sys.exit("Give the period as YYYY-MM.")

    units = list(Unit.objects.order_by("pk"))
    active = Tenancy.objects.overlapping(period, month_end(period)).count()
    print(f"{len(units)} units, {active} tenancies running in {period:%Y-%m}")
    try:
        with transaction.atomic():
            for unit in units:
                RentSettings.objects.get_or_create(unit=unit)
            connection.force_debug_cursor = True
            reset_queries()
            started = time.perf_counter()
            made = sum(run_month(None, unit, period).notices_made_now for unit in units)
            first = time.perf_counter() - started
            queries = len(connection.queries)
            reset_queries()
            started = time.perf_counter()
            again = sum(run_month(None, unit, period).notices_made_now for unit in units)
            second = time.perf_counter() - started
            lines = NoticeLine.objects.filter(notice__period=period).count()
            print(f"first run: {made} notices, {lines} lines, {first:.1f} s, {queries} queries "
                  f"({'within' if first < BUDGET_SECONDS else 'OVER'} the {BUDGET_SECONDS} s budget)")
            print(f"second run: {again} notices, {second:.1f} s, {len(connection.queries)} queries")
            print(f"rent notices in the database for {period:%Y-%m}: "
                  f"{RentNotice.objects.filter(period=period, kind='rent').count()}")
            connection.force_debug_cursor = False
            if not args.keep:
                raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
