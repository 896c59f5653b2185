"""Bring the bench database's visits up to the budget's national scale.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/pad_visits.py [--target 2000000]

The budget (DESIGN.md) is stated for 2 million visits; `seed_demo --scale
national` keeps two years of casework (about 0.86 million). This copies
existing visits (INSERT … SELECT, new ids from the identity sequence) with
`visited_at` and `created_at` moved back by whole multiples of three years,
far enough that every copy lies before 2021 (Swedish time), until the table
holds at least --target rows, then ANALYZEs it. The copies keep their
order, client, bolotsar, kind, outcome and reason, so every NOT NULL column,
check constraint and foreign key stays valid; `client_age` (the age on the
day of the visit) is lowered by the same number of years (NULL where the
client was not yet born). Nothing else refers to them (no checklists or
signals are copied: no constraint asks for them), and no stored figure is
derived from them, so no KPI of 2021 or later changes — the script checks
it: compute_kpis, additional_figures and caseload_per_pilot for
--check-years (default 2024–2026, national and three units) before and after,
with any difference printed (exit status 1).

Bench only: refuses unless the database is PostgreSQL and its name contains
'bench'. Running it again when the target is reached changes nothing.
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

# Copies land before this (Swedish time); the originals are the visits from
# it on.
COPIES_BEFORE_YEAR = 2021
STEP_YEARS = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=int, default=2_000_000)
    parser.add_argument("--check-years", type=int, nargs="*", default=[2024, 2025, 2026])
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction

    from bench.kpi_snapshot import differences, snapshot
    from bolots.models import Visit

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in str(name):
        sys.exit(f"Refusing: {connection.vendor} database {name!r} is not a PostgreSQL bench database "
                 "(its name must contain 'bench').")

    table = connection.ops.quote_name(Visit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        before = cursor.fetchone()[0]
    print(f"database {name}: {before} visits before")
    if before >= args.target:
        print(f"already at least {args.target}: nothing to do")
        return

    check_before = snapshot(args.check_years) if args.check_years else None

    # Every concrete column but the id; the shifted ones get an expression.
    shifted = {
        "visited_at": "{col} - make_interval(years => %(years)s)",
        "created_at": "{col} - make_interval(years => %(years)s)",
        "client_age": "CASE WHEN {col} >= %(years)s THEN {col} - %(years)s END",
    }
    columns = [field.column for field in Visit._meta.concrete_fields if not field.primary_key]
    targets = ", ".join(connection.ops.quote_name(column) for column in columns)
    values = ", ".join(
        shifted[column].format(col=connection.ops.quote_name(column)) if column in shifted
        else connection.ops.quote_name(column)
        for column in columns
    )
    visited = connection.ops.quote_name("visited_at")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Europe/Stockholm'")
        # The originals: the casework from 2021 on (never copies).
        cursor.execute(
            f"SELECT MAX({visited}) FROM {table} WHERE {visited} >= make_date(%s, 1, 1)",  # noqa: S608
            [COPIES_BEFORE_YEAR],
        )
        (latest,) = cursor.fetchone()
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        (last_id,) = cursor.fetchone()
        if latest is None:
            sys.exit(f"No visits from {COPIES_BEFORE_YEAR} on to copy.")
        # The smallest multiple of three years that puts the latest original
        # before 1 January 2021.
        years = STEP_YEARS
        while latest.year - years >= COPIES_BEFORE_YEAR:
            years += STEP_YEARS
        total = before
        while total < args.target:
            cursor.execute(
                f"INSERT INTO {table} ({targets}) "  # noqa: S608
                f"SELECT {values} FROM {table} WHERE {visited} >= make_date(%(first)s, 1, 1) "
                f"ORDER BY {visited}, id LIMIT %(limit)s",
                {"years": years, "first": COPIES_BEFORE_YEAR, "limit": args.target - total},
            )
            print(f"  copied {cursor.rowcount} visits moved back {years} years")
            total += cursor.rowcount
            years += STEP_YEARS
        # Every copy (an id above the originals') lies before 2021.
        cursor.execute(f"SELECT MAX({visited}) FROM {table} WHERE id > %s", [last_id])  # noqa: S608
        (latest_copy,) = cursor.fetchone()
        if latest_copy.year >= COPIES_BEFORE_YEAR:
            raise RuntimeError(f"a copy lies in {latest_copy.year}")  # rolls the copies back
        print(f"  latest copy: {latest_copy:%Y-%m-%d %H:%M} (Swedish time)")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        after = cursor.fetchone()[0]
    print(f"database {name}: {after} visits after ({after - before} copied in "
          f"{time.perf_counter() - started:.1f} s, ANALYZEd)")

    if check_before is not None:
        lines = differences(check_before, snapshot(args.check_years))
        print(f"KPI figures {', '.join(map(str, args.check_years))} (national and three units), before vs after:")
        print("\n".join(f"  {line}" for line in lines) if lines else "  identical (no difference)")
        if lines:
            sys.exit(1)


if __name__ == "__main__":
    main()
