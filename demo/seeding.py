"""The demo seeders in the order they run (see the package docstring):
lowest layer first, each building on what the earlier ones made."""

import time
from collections.abc import Callable

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


def seed_all(ctx: DemoContext, on_area_done: Callable[[str, float], object] | None = None) -> None:
    """Run every seeder in order; `on_area_done(area, seconds)` after each area."""
    for area, seeders in AREAS:
        started = time.monotonic()
        for seed in seeders:
            seed(ctx)
        if on_area_done is not None:
            on_area_done(area, time.monotonic() - started)
