"""Time the goal dashboard and the yearly PDF's figures for a closed year,
counted live and read from its snapshot (reports.snapshots).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/frozen_year.py [--year 2025] [--repeat 5]

Run on a database with demo data (`manage.py seed_demo --scale ...`). For
the demo manager's unit ("chef", else the first unit with a manager): the
dashboard page (GET through Django's test client, as the manager), and
reports.evaluation.evaluation_context (the PDF's figures without
WeasyPrint), each first once to warm caches and then --repeat times, live;
then the year is fixed (timed: it counts every figure and the drill-down
lists once) and both are timed again. Prints best and median wall time
and the queries of one run. Everything runs in a transaction that is
rolled back: the database is left as it was.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "SECRET_KEY" not in os.environ:
    os.environ.setdefault("DEBUG", "1")


class Rollback(Exception):
    pass


def timed(function, repeat):
    from django.db import connection, reset_queries

    function()  # warm
    reset_queries()
    function()
    queries = len(connection.queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=time.localtime().tm_year - 1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries, transaction
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from accounts.roles import Role
    from accounts.tests.second_factor import mark_client_verified
    from reports import evaluation, snapshots

    settings.DEBUG = True  # count the queries
    settings.ALLOWED_HOSTS = ["*"]
    manager = (User.objects.filter(username="chef").select_related("unit").first()
               or User.objects.with_role(Role.MANAGER).filter(unit__isnull=False).select_related("unit").first())
    unit = manager.unit
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Closed year {args.year}, unit {unit.pk} ({unit.municipality}) on {engine}, best/median of "
          f"{args.repeat}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")
    url = reverse("reports:dashboard", args=[args.year])

    def report(label, result):
        best, median, queries = result
        print(f"  {label:<34} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  {queries:3d} queries")

    try:
        with transaction.atomic():
            if snapshots.frozen_year(unit, args.year) is not None:
                sys.exit(f"{args.year} is already fixed for this unit: nothing to compare.")
            client = Client()
            client.force_login(manager)
            # Past the second step too, as after a real login (bench/pages.py).
            mark_client_verified(client, manager)

            def dashboard():
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            def pdf_figures():
                evaluation.evaluation_context(args.year, unit)

            report("dashboard, counted live", timed(dashboard, args.repeat))
            report("PDF figures, counted live", timed(pdf_figures, args.repeat))
            reset_queries()
            started = time.perf_counter()
            snapshots.freeze_year(unit, args.year, user=manager)
            print(f"  {'fixing the year (once)':<34} {(time.perf_counter() - started) * 1000:7.1f} ms"
                  f"{'':22}{len(connection.queries):3d} queries")
            report("dashboard, fixed", timed(dashboard, args.repeat))
            report("PDF figures, fixed", timed(pdf_figures, args.repeat))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
