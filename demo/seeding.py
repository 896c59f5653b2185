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


def analyze_area(area: str) -> None:
    """PostgreSQL: ANALYZE the tables the area wrote. The seed runs in one
    transaction without autovacuum's statistics, so every later seeder's
    per-unit query was planned for empty tables (nested loops over tens of
    thousands of rows); ANALYZE in the same transaction samples the rows
    written so far. It also leaves the finished database with statistics
    for the benchmarks (bench/kpis.py). Other databases: nothing."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for label in AREA_APPS.get(area, (area,)) if label in apps.app_configs
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


def seed_all(ctx: DemoContext, on_area_done: Callable[[str, float], object] | None = None) -> None:
    """Run every seeder in order; `on_area_done(area, seconds)` after each
    area (its ANALYZE included)."""
    for area, seeders in AREAS:
        started = time.monotonic()
        for seed in seeders:
            seed(ctx)
        analyze_area(area)
        if on_area_done is not None:
            on_area_done(area, time.monotonic() - started)
