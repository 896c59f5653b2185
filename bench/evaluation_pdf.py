"""Time the yearly PDF evaluation (reports.evaluation.render_evaluation).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/evaluation_pdf.py [--year 2025] [--runs 3]

Run on a database with demo data (`bench/seed_timing.py`, or
`manage.py seed_demo --scale ...`). Builds the whole evaluation — KPI
engine, volumes, charts and WeasyPrint — in-process, as the Celery task
does (without storing the file), for the demo users' unit ("one
municipality") and for every unit together ("national"), each first once to
warm caches and then `--runs` times; prints best and median wall time, the
split between the figures (context) and the PDF (HTML + WeasyPrint), the
process CPU time (less disturbed by other load on a shared machine; the
database server's time is not in it on PostgreSQL), the number of SQL
queries, the pages and the size. Also prints the load average, since on a
busy machine the wall times say little.

Budget (DESIGN.md): ≤ 3 s for one municipality, ≤ 10 s at national scale.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def measure(label, year, unit, runs, *, warm_charts=False):
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.utils import translation
    from pypdf import PdfReader

    from core import charts
    from core.pdf import render_pdf
    from reports import evaluation

    evaluation.render_evaluation(year, unit)  # warm-up: imports, fonts, Pango, matplotlib
    totals, contexts, cpu = [], [], []
    queries = 0
    content = b""
    for _ in range(runs):
        if not warm_charts:
            # A new evaluation has new figures: its charts are drawn, not
            # taken from core.charts' per-process cache.
            charts._CACHE.clear()
        reset_queries()
        # What render_evaluation does, timed in its two parts.
        started, cpu_started = time.perf_counter(), time.process_time()
        with translation.override(settings.LANGUAGE_CODE):
            context = evaluation.evaluation_context(year, unit)
            figured = time.perf_counter()
            queries = len(connection.queries)
            _filename, _mimetype, content = render_pdf(evaluation.TEMPLATE, context,
                                                       evaluation.evaluation_filename(year))
        totals.append(time.perf_counter() - started)
        contexts.append(figured - started)
        cpu.append(time.process_time() - cpu_started)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    median_total, median_context = statistics.median(totals), statistics.median(contexts)
    print(
        f"{label:<36} best {min(totals):5.2f} s  median {median_total:5.2f} s  "
        f"(figures and charts {median_context:4.2f} s, PDF {median_total - median_context:4.2f} s)  "
        f"CPU {statistics.median(cpu):4.2f} s  {queries} queries  {pages} pages  {len(content) // 1024} KiB"
    )
    return min(totals), median_total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=time.localtime().tm_year - 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm-charts", action="store_true",
                        help="keep the charts drawn by the warm-up (a repeated evaluation of the same figures)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from accounts.models import Unit, User

    settings.DEBUG = True  # count the queries
    manager = User.objects.filter(username="chef").select_related("unit").first()
    unit = manager.unit if manager else Unit.objects.order_by("pk").first()
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Evaluation {args.year} on {engine}, {Unit.objects.count()} units, best/median of {args.runs}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")
    charts = "charts cached" if args.warm_charts else "charts drawn"
    measure(f"one unit ({unit.municipality}), {charts}", args.year, unit, args.runs, warm_charts=args.warm_charts)
    measure(f"national (all units), {charts}", args.year, None, args.runs, warm_charts=args.warm_charts)


if __name__ == "__main__":
    main()
