"""The demo seeders in the order they run (see the package docstring):
lowest layer first, each building on what the earlier ones made."""

import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection

from . import casework, clients, corrections, drafts, housing, log_review, plans, provider, rent, risks, users
from .chain import checklist, housing_first, narrative, offers, person_links, vacancies, waiting
from .context import DemoContext

# (area, its seeders in order). The area names the app whose data it makes;
# seed_demo prints the time each area took.
AREAS: tuple[tuple[str, tuple[Callable[[DemoContext], None], ...]], ...] = (
    ("accounts", (users.seed,)),
    ("referrals", (clients.seed, casework.seed, clients.seed_without_number, plans.seed, risks.seed)),
    ("tenancies", (housing.seed,)),
    ("bolots", (provider.seed, drafts.seed, corrections.seed)),
    ("logreview", (log_review.seed,)),
    # Last: its draws come after every other area's, so adding it changed no other data.
    ("rent", (rent.seed,)),
    # Last again, for the same reason: the housing chain in motion (issue 15).
    (
        "housing_chain",
        (
            vacancies.seed, waiting.seed, offers.seed, housing_first.seed, person_links.seed, checklist.seed,
            narrative.seed,
        ),
    ),
)


# The apps whose tables an area writes, when not the app it is named after.
AREA_APPS = {"housing_chain": ("tenancies", "referrals", "reports")}


def analyze_area(area: str, analysed: dict[str, int] | None = None) -> None:
    """PostgreSQL: ANALYZE the tables the area wrote. The seed runs in one
    transaction without autovacuum's statistics, so every later seeder's
    per-unit query was planned for empty tables (nested loops over tens of
    thousands of rows); ANALYZE in the same transaction samples the rows
    written so far. It also leaves the finished database with statistics
    for the benchmarks (bench/kpis.py). Other databases: nothing.

    `analysed` (one dict per seed run, kept by seed_all) remembers how many
    rows this transaction had written to each table when it was analysed;
    a table of the area not written since is not analysed again (the
    housing chain's area names the referrals and tenancies apps, whose
    large tables earlier areas wrote and analysed)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for label in AREA_APPS.get(area, (area,)) if label in apps.app_configs
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    if not tables:
        return
    analysed = {} if analysed is None else analysed
    with connection.cursor() as cursor:
        # This transaction's rows written per table, so far.
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [tables],
        )
        written = dict(cursor.fetchall())
        changed = [table for table in tables if table not in analysed or analysed[table] != written.get(table, 0)]
        if changed:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in changed))
        for table in changed:
            analysed[table] = written.get(table, 0)


def seed_all(ctx: DemoContext, on_area_done: Callable[[str, float], object] | None = None) -> None:
    """Run every seeder in order; `on_area_done(area, seconds)` after each
    area (its ANALYZE included)."""
    analysed: dict[str, int] = {}
    for area, seeders in AREAS:
        started = time.monotonic()
        for seed in seeders:
            seed(ctx)
        analyze_area(area, analysed)
        if on_area_done is not None:
            on_area_done(area, time.monotonic() - started)
