"""python manage.py rent_run YYYY-MM [--unit ID]

Makes the month's rent notices (services.runs.run_month) for one unit, or
for every unit with rent settings, and prints how many each run made.
Running it again for the same month makes nothing new. A month not written
YYYY-MM, or an unknown unit, stops it with a message and a non-zero exit."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Unit
from rent.models import RentSettings
from rent.services.runs import parse_month, run_month


def parse_period(text: str) -> date:
    period = parse_month(text)
    if period is not None:
        return period
    raise CommandError(_("Give the month as YYYY-MM, for example 2026-12 (you gave %(month)s).") % {"month": text})


class Command(BaseCommand):
    help = "Make a month's rent notices (see docs/rent.md)."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month the notices are for, YYYY-MM.")
        parser.add_argument("--unit", type=int, help="Only this unit (id); otherwise every unit with rent settings.")

    def handle(self, *args, month, unit=None, **options):
        with translation.override("sv"):
            period = parse_period(month)
            if unit is not None:
                units = list(Unit.objects.filter(pk=unit))
                if not units:
                    raise CommandError(_("No unit has id %(id)s.") % {"id": unit})
            else:
                units = list(Unit.objects.filter(pk__in=RentSettings.objects.values("unit_id")).order_by("pk"))
            total = 0
            for one in units:
                run = run_month(None, one, period)
                total += run.notices_made_now
                self.stdout.write(_("%(unit)s: %(count)s notices made for %(month)s.") % {
                    "unit": one, "count": run.notices_made_now, "month": f"{period:%Y-%m}"})
            self.stdout.write(_("In all: %(count)s notices made.") % {"count": total})
