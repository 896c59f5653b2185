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

from django.db import transaction

from tenancies.models import Apartment, ApartmentStatus, Tenancy
from tenancies.models.chain import Vacancy
from tenancies.services.vacancies import programme_start, rebuild_vacancies, vacancy_gaps

from ..context import DemoContext
from .common import rng_for

READY_NOTES = [
    "Städning bokad",
    "Målning av kök och hall",
    "Väntar på nyckelåterlämning",
    "Byte av golv i sovrummet",
    "",
]


def _build_unit(unit, ctx: DemoContext, rng) -> int:
    apartments = list(Apartment.objects.filter(unit=unit).order_by("pk"))
    tenancies = defaultdict(list)
    for row in Tenancy.objects.filter(apartment__unit=unit).values_list(
        "apartment_id", "pk", "start_date", "end_date", "end_reason"
    ):
        tenancies[row[0]].append(row[1:])
    rows = []
    for apartment in apartments:
        left = apartment.status == ApartmentStatus.LEFT_PROGRAMME
        for gap in vacancy_gaps(programme_start(apartment), tenancies[apartment.pk], left_programme=left,
                                left_on=apartment.lease_end if left else None):
            row = Vacancy(apartment_id=apartment.pk, vacant_from=gap.vacant_from, ended_on=gap.ended_on,
                          ended_by_id=gap.ended_by, reason=gap.reason)
            if gap.ended_on is None and rng.random() < 0.6:
                # Ready some days after the first empty day; some still ahead.
                row.ready_from = max(gap.vacant_from, ctx.today - timedelta(days=rng.randint(-20, 40)))
                row.ready_note = rng.choice(READY_NOTES) if row.ready_from > ctx.today else ""
            rows.append(row)
    Vacancy.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    rng = rng_for(ctx, "vacancies")
    made = 0
    for unit in ctx.units:
        if Vacancy.objects.filter(apartment__unit=unit).exists():
            # A second run: the rows are there; make them agree, add nothing.
            rebuild_vacancies(Apartment.objects.filter(unit=unit).values_list("pk", flat=True))
            continue
        made += _build_unit(unit, ctx, rng)
    ctx.log(f"  vacancies: {made}")
