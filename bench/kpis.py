"""Time the KPI engine for one year against bare COUNT(*) scans of the tables it reads.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/kpis.py --year 2025 [--unit-id N]

Runs compute_kpis + additional_figures (+ caseload_per_pilot) for the year,
national (all units) unless --unit-id is given, --repeat times (default 5)
after one warm-up run, and in the same run `SELECT COUNT(*)` over every table
the KPIs read, also best of --repeat. Prints best and median of both, the
ratio best(KPIs) / best(sum of counts) and the queries the engine issued.
The tables counted are those the engine's SQL reads (every table named after
FROM or JOIN in the captured queries: since issue 14/15 the rent ledger,
vacancies and Housing First figures read tables the fixed list below
missed); the ratio against the fixed list of 12 is printed beside it, for
comparison with earlier figures.
Budget (DESIGN.md): all KPIs of one year at national scale ≤ 1 s and
within 3× the bare counts. Read-only: the database is not changed.

On PostgreSQL on the same machine it also prints the CPU time the database
server process spent per run of each (from /proc) and this process's own,
which the other processes' load changes far less than the wall-clock times.

--explain (PostgreSQL) also prints, for each query the engine sent, its time
and its plan from EXPLAIN (ANALYZE, BUFFERS) on the SQL the ORM produced
(--explain-brief: the time, the planning and JIT time and the first line).
At national scale the visits table should first be padded to the budget's
2 million rows with bench/pad_visits.py.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "SECRET_KEY" not in os.environ:
    # A bench run, like manage.py in bench/seed_timing.py: development settings.
    os.environ.setdefault("DEBUG", "1")

# The tables the KPIs and the additional figures read before issue 14 (the
# earlier figures' denominator; the run counts every table the SQL reads).
TABLES = (
    "tenancies_tenancy",
    "tenancies_apartment",
    "tenancies_incomesource",
    "tenancies_complaint",
    "referrals_client",
    "referrals_decision",
    "referrals_interruption",
    "referrals_order",
    "referrals_evictionnotice",
    "bolots_visit",
    "bolots_enrolment",
    "reports_enforcementfigures",
)


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--unit-id", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print each query's plan (PostgreSQL)")
    parser.add_argument("--explain-brief", action="store_true", help="print each query's time only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Unit
    from reports.kpis import additional_figures, caseload_per_pilot, compute_kpis
    from reports.kpis.common import clear_compiled

    unit = Unit.objects.get(pk=args.unit_id) if args.unit_id else None

    def kpis():
        compute_kpis(args.year, unit)
        additional_figures(args.year, unit)
        caseload_per_pilot(args.year, unit)

    def counter(tables):
        def counts():
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                    cursor.fetchone()
        return counts

    counter(TABLES)()  # warm the database's caches for both
    kpis()
    clear_compiled()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        kpis()  # the first call in a process also compiles the SQL
        first = time.perf_counter() - started
    read = tables_read(captured.captured_queries)
    counts = counter(read)
    counts()

    def cold():
        clear_compiled()
        kpis()

    kpi_best, kpi_median = timed(kpis, args.repeat)
    cold_best, cold_median = timed(cold, args.repeat)
    count_best, count_median = timed(counts, args.repeat)
    fixed_best, _fixed_median = timed(counter(TABLES), args.repeat)

    kpi_cpu, count_cpu = backend_cpu(connection, kpis, args.repeat), backend_cpu(connection, counts, args.repeat)

    with connection.cursor() as cursor:
        sizes = {}
        for table in read:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            sizes[table] = cursor.fetchone()[0]

    scope = f"unit {unit.pk} ({unit})" if unit else "national"
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; year {args.year}; {scope}")
    print("rows: " + ", ".join(f"{table} {rows}" for table, rows in sizes.items()))
    print(f"KPIs + additional figures + caseload: {len(captured.captured_queries)} queries")
    print(f"  best {kpi_best * 1000:.1f} ms, median {kpi_median * 1000:.1f} ms (of {args.repeat}; SQL compiled before)")
    print(f"  compiling the SQL each time: best {cold_best * 1000:.1f} ms, median {cold_median * 1000:.1f} ms"
          f" (first call in the process: {first * 1000:.1f} ms)")
    print(f"bare COUNT(*) over the {len(read)} tables the SQL reads:")
    print(f"  best {count_best * 1000:.1f} ms, median {count_median * 1000:.1f} ms (of {args.repeat})")
    ratio = kpi_best / count_best if count_best else float("inf")
    print(f"ratio best(KPIs) / best(COUNT(*)): {ratio:.2f} (budget ≤ 3, and ≤ 1000 ms)")
    fixed = kpi_best / fixed_best if fixed_best else float("inf")
    print(f"  (against the earlier list of {len(TABLES)} tables: best {fixed_best * 1000:.1f} ms, ratio {fixed:.2f})")
    if kpi_cpu is not None and count_cpu[0]:
        print(f"CPU per run (mean of {args.repeat}; the other processes' load counts far less):"
              f" database server: KPIs {kpi_cpu[0]:.0f} ms, COUNT(*) {count_cpu[0]:.0f} ms,"
              f" ratio {kpi_cpu[0] / count_cpu[0]:.2f}; this Python process: KPIs {kpi_cpu[1]:.0f} ms")
    if args.explain or args.explain_brief:
        explain(connection, captured.captured_queries, brief=not args.explain)


def backend_cpu(connection, function, repeat):
    """(CPU milliseconds the database server process of this connection
    spends per call of `function`, from /proc; those of this process), mean
    of `repeat`: PostgreSQL on this machine only, else None. On a shared machine the wall-clock
    times above grow with the others' load; this does much less."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return None

    def ticks():
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    started, python = ticks(), time.process_time()
    for _ in range(repeat):
        function()
    server = (ticks() - started) * 1000 / os.sysconf("SC_CLK_TCK") / repeat
    return server, (time.process_time() - python) * 1000 / repeat


def tables_read(queries):
    """Every table named after FROM or JOIN in the queries' SQL, sorted."""
    return sorted({name for query in queries for name in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"])})


def explain(connection, queries, brief):
    """EXPLAIN (ANALYZE, BUFFERS) of each captured query (read-only
    SELECTs), best of two runs."""
    if connection.vendor != "postgresql":
        print("--explain needs PostgreSQL")
        return
    with connection.cursor() as cursor:
        for number, query in enumerate(queries, 1):
            plans = []
            for _ in range(2):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plans.append([line for (line,) in cursor.fetchall()])
            plan = min(plans, key=_execution_ms)
            extra = [line.strip() for line in plan if line.startswith(("Planning Time", "JIT:", "  Timing"))]
            print(f"\n#{number}: {_execution_ms(plan):.1f} ms; {'; '.join(extra)}")
            print(f"  {query['sql'][:160]}…")
            if not brief:
                print("\n".join(plan))


def _execution_ms(plan):
    return next(float(line.split()[2]) for line in plan if line.startswith("Execution Time"))


if __name__ == "__main__":
    main()
