"""Time the goal dashboard and the yearly PDF's figures for a closed year:
counted live, read from its kept figures (reports.year_figures) and read
from its snapshot (reports.snapshots).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/frozen_year.py [--year 2025] [--repeat 20]

Run on a database with demo data (`manage.py seed_demo --scale ...`). For
the demo manager's unit ("chef", else the first unit with a manager): the
dashboard page (GET through Django's test client, as the manager), and
reports.evaluation.evaluation_context (the PDF's figures without
WeasyPrint), each first once to warm caches and then --repeat times, live
(the dashboard and the PDF with their kept figures switched off). Then the
dashboard of the closed year not fixed: the first request (it counts the
year and keeps it, timed once), the kept figures (the budget: p95 <= 100
ms, <= 12 queries), the PDF's figures and the CSV export read from them
(reports.year_figures.fresh_year: no KPI query), a correction (one eviction notice of the year moved by a day:
the receivers mark the year stale, timed) and the stale page, and the
background recount (the task's function, timed once). Then the year is
fixed (it copies the kept figures) and the dashboard and the PDF's figures
are timed again. Prints best, median and p95 wall time and the queries of
one run, and the median CPU time of this process (on a busy machine the
wall time is mostly waiting for a core). Everything runs in a transaction that is rolled back: the
database is left as it was.
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
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(times), statistics.median(times), p95(times), queries, statistics.median(cpu)


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def once(function):
    from django.db import connection, reset_queries

    reset_queries()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started, len(connection.queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=time.localtime().tm_year - 1)
    parser.add_argument("--repeat", type=int, default=20)
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
    from referrals.models import EvictionNotice
    from reports import evaluation, snapshots, tasks_figures, year_figures
    from reports.models import YearFigures
    from reports.views import dashboard as dashboard_view

    settings.DEBUG = True  # count the queries
    settings.ALLOWED_HOSTS = ["*"]
    manager = (User.objects.filter(username="chef").select_related("unit").first()
               or User.objects.with_role(Role.MANAGER).filter(unit__isnull=False).select_related("unit").first())
    unit = manager.unit
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Closed year {args.year}, unit {unit.pk} ({unit.municipality}) on {engine}, best/median/p95 of "
          f"{args.repeat}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")
    url = reverse("reports:dashboard", args=[args.year])

    def report(label, result):
        best, median, high, queries, cpu = result
        print(f"  {label:<34} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  "
              f"p95 {high * 1000:7.1f} ms  {queries:3d} queries  (CPU of this process: median {cpu * 1000:6.1f} ms)")

    def report_once(label, result):
        elapsed, queries = result
        print(f"  {label:<34} {elapsed * 1000:7.1f} ms once{'':37}{queries:3d} queries")

    try:
        with transaction.atomic():
            if snapshots.frozen_year(unit, args.year) is not None:
                sys.exit(f"{args.year} is already fixed for this unit: nothing to compare.")
            YearFigures.objects.filter(unit=unit, year=args.year).delete()
            client = Client()
            client.force_login(manager)
            # Past the second step too, as after a real login (bench/pages.py).
            mark_client_verified(client, manager)

            def dashboard():
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            def pdf_figures():
                evaluation.evaluation_context(args.year, unit)

            def export_csv():
                response = client.get(reverse("reports:export_csv", args=[args.year]))
                assert response.status_code == 200, response.status_code

            kept_year, kept_pdf = dashboard_view.kept_year, evaluation._kept
            dashboard_view.kept_year = lambda *args, **kwargs: None  # the live path, as before
            evaluation._kept = lambda *args, **kwargs: None
            report("dashboard, counted live", timed(dashboard, args.repeat))
            report("PDF figures, counted live", timed(pdf_figures, args.repeat))
            dashboard_view.kept_year, evaluation._kept = kept_year, kept_pdf
            report_once("dashboard, first (counts, keeps)", once(dashboard))
            report("dashboard, kept", timed(dashboard, args.repeat))
            report("PDF figures, kept", timed(pdf_figures, args.repeat))
            report("CSV export, kept", timed(export_csv, args.repeat))
            notice = EvictionNotice.objects.filter(unit=unit, received_on__year=args.year).order_by("pk").first()
            if notice is not None:
                def correct():
                    notice.received_on = notice.received_on.replace(day=1 if notice.received_on.day > 1 else 2)
                    notice.save()

                report_once("correction (marks stale)", once(correct))
                assert YearFigures.objects.get(unit=unit, year=args.year).stale_since is not None
                report("dashboard, stale (kept shown)", timed(dashboard, args.repeat))
                report_once("recount (background task)", once(lambda: tasks_figures.recount_year(unit.pk, args.year)))
                assert YearFigures.objects.get(unit=unit, year=args.year).stale_since is None
            assert year_figures.kept_year(unit, args.year) is not None
            reset_queries()
            started = time.perf_counter()
            snapshots.freeze_year(unit, args.year, user=manager)
            print(f"  {'fixing the year (copies kept)':<34} {(time.perf_counter() - started) * 1000:7.1f} ms once"
                  f"{'':37}{len(connection.queries):3d} queries")
            report("dashboard, fixed", timed(dashboard, args.repeat))
            report("PDF figures, fixed", timed(pdf_figures, args.repeat))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
