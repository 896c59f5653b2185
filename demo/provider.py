"""The demo data of the provider side (the bolots app), in this order:
visits on the started orders (demo/visits.py), the housing search of the
training-apartment tenants (demo/housing_search.py) and the housing-course
rounds (demo/courses.py). Built on what demo/casework.py and demo/housing.py
made.

Deterministic for a --seed (everything is drawn from ctx.rng, in key
order); a second run adds nothing.
"""

import time

from django.utils import timezone, translation

from bolots.models import CourseRound, FrequencyChange, HousingSearchProfile, Signal, Visit, VisitChecklist

from . import courses, housing_search, visits
from .bulk import foreign_keys_checked_once, indexes_built_once
from .context import DemoContext


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    now = timezone.now()
    with translation.override("sv"):
        if Visit.objects.exists():
            ctx.log("Besök finns redan; inga nya skapas.")
        else:
            # Keys checked and indexes built once at the end: row by row
            # they cost more than writing the 890 000 visits (national).
            with foreign_keys_checked_once(Visit, VisitChecklist, Signal, FrequencyChange), \
                    indexes_built_once(Visit, VisitChecklist):
                visits.build(ctx, now)
        if HousingSearchProfile.objects.exists():
            ctx.log("Bostadssökande finns redan; inga nya skapas.")
        else:
            housing_search.build(ctx)
        if CourseRound.objects.exists():
            ctx.log("Boendekurser finns redan; inga nya skapas.")
        else:
            courses.build(ctx, now)
    ctx.log(f"Bolotsdelen klar på {time.monotonic() - started:.1f} s.")
