"""Accounting months and their locks. A month exported to the finance system
(models.FinanceExport) is locked: an entry dated in it is booked in the
first month after the last exported one, so a correction never changes
what the finance system already has (docs/rent.md, "SIE")."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Max

from rent.models import FinanceExport


def month_of(day: date) -> date:
    return day.replace(day=1)


def last_locked_month(unit_id: int) -> date | None:
    return FinanceExport.objects.filter(unit_id=unit_id).aggregate(last=Max("month"))["last"]


def is_locked(unit_id: int, month: date) -> bool:
    last = last_locked_month(unit_id)
    return last is not None and month_of(month) <= last


def booking_month(unit_id: int, day: date) -> date:
    """The month an entry dated `day` is booked in: its own, unless that is
    locked; then the first month after the last locked one."""
    month = month_of(day)
    last = last_locked_month(unit_id)
    if last is not None and month <= last:
        return last + relativedelta(months=1)
    return month
