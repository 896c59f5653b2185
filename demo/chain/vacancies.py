"""Demo data: vacancies (docs/housing-chain.md, "Vacancies").

The demo's tenancies are bulk-created (demo/housing.py), past the move
services that keep vacancies; so the vacancies are derived from them here by
the services' own rule (tenancies.services.vacancies.vacancy_gaps): in bulk
for a unit that has none yet, else through rebuild_vacancies, which changes
nothing when they already agree. Some open vacancies get a ready-from date
and a note on what remains; a second run adds nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace

from django.db import transaction

from tenancies.models import Apartment, ApartmentStatus, Tenancy
from tenancies.models.chain import Vacancy
from tenancies.services.vacancies import programme_start, rebuild_vacancies, vacancy_gaps

from ..bulk import RecordMaker, write_records
from ..context import DemoContext
from .common import rng_for

READY_NOTES = [
    "Städning bokad",
    "Målning av kök och hall",
    "Väntar på nyckelåterlämning",
    "Byte av golv i sovrummet",
    "",
]


def _build(units, ctx: DemoContext, rng) -> int:
    """The vacancies of `units` (which have none yet), unit by unit in their
    order and each unit's apartments by key, as one write: three queries in
    all instead of three per unit, and plain records instead of model
    instances (demo.bulk), which at the national scale's 290 units and
    45 000 vacancies took most of this seeder's time."""
    unit_ids = [unit.pk for unit in units]
    apartments = defaultdict(list)
    for apartment in (
        Apartment.objects.filter(unit_id__in=unit_ids).order_by("pk")
        .values("pk", "unit_id", "status", "lease_start", "lease_end", "created_at")
    ):
        apartments[apartment["unit_id"]].append(apartment)
    tenancies = defaultdict(list)
    for row in Tenancy.objects.filter(apartment__unit_id__in=unit_ids).order_by().values_list(
        "apartment_id", "pk", "start_date", "end_date", "end_reason"
    ):
        tenancies[row[0]].append(row[1:])
    make = RecordMaker(Vacancy)
    rows = []
    for unit_id in unit_ids:
        for apartment in apartments[unit_id]:
            left = apartment["status"] == ApartmentStatus.LEFT_PROGRAMME
            start = programme_start(SimpleNamespace(**apartment))
            for gap in vacancy_gaps(start, tenancies[apartment["pk"]], left_programme=left,
                                    left_on=apartment["lease_end"] if left else None):
                row = make(apartment_id=apartment["pk"], vacant_from=gap.vacant_from, ended_on=gap.ended_on,
                           ended_by_id=gap.ended_by, reason=gap.reason)
                if gap.ended_on is None and rng.random() < 0.6:
                    # Ready some days after the first empty day; some still ahead.
                    row.ready_from = max(gap.vacant_from, ctx.today - timedelta(days=rng.randint(-20, 40)))
                    row.ready_note = rng.choice(READY_NOTES) if row.ready_from > ctx.today else ""
                rows.append(row)
    write_records(Vacancy, rows)
    return len(rows)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    rng = rng_for(ctx, "vacancies")
    with_vacancies = set(
        Vacancy.objects.filter(apartment__unit__in=ctx.units).values_list("apartment__unit_id", flat=True).distinct()
    )
    for unit in ctx.units:
        if unit.pk in with_vacancies:
            # A second run: the rows are there; make them agree, add nothing.
            rebuild_vacancies(Apartment.objects.filter(unit=unit).values_list("pk", flat=True))
    made = _build([unit for unit in ctx.units if unit.pk not in with_vacancies], ctx, rng)
    ctx.log(f"  vacancies: {made}")
