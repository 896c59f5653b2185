"""What every demo seeder shares: the scales, the context handed from one
seeder to the next, and how far back the history goes."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from random import Random

SCALES = {
    # units, case officers per unit, bolotsar per unit, clients in all
    "small": {"units": 1, "officers": 3, "pilots": 4, "clients": 150},
    "municipality": {"units": 1, "officers": 6, "pilots": 8, "clients": 600},
    "national": {"units": 290, "officers": 4, "pilots": 4, "clients": 60_000},
}

FIRST_YEAR = 2016
# The national scale (290 units) is for load and KPI benchmarks. The KPIs
# show Y and Y−1, so the last full year and this one are enough; the full
# history since 2016 would be about 2.5 million rows, over six minutes of
# bulk_create (about 0.13 s per unit and year, measured on PostgreSQL).
HISTORY_YEARS_BY_SCALE = {"national": 1}


@dataclass
class DemoContext:
    """Shared by every demo seeder; later seeders read what earlier ones
    made (units, users by role)."""

    rng: Random
    scale: str
    today: date
    sizes: dict
    units: list = field(default_factory=list)
    users_by_unit: dict = field(default_factory=dict)  # unit id -> {role: [users]}
    demo_logins: list = field(default_factory=list)  # [(username, password, role)]
    log: Callable[[str], object] = print


def first_year(ctx: DemoContext) -> int:
    """The first year of casework (and of the history built on it)."""
    years_back = HISTORY_YEARS_BY_SCALE.get(ctx.scale)
    return ctx.today.year - years_back if years_back is not None else FIRST_YEAR
