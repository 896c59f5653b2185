"""Corrections of old records make the kept figures of their years stale.

One mechanism for every write path that goes through Model.save() and
Model.delete() (forms, services, the admin, imports): receivers of post_init,
post_save and pre_delete on every model the KPI engine counts (WATCHED).
They work out, from the record's own dates before and after the write, which
closed years' figures can have changed, and call
reports.year_figures.invalidate() for the record's unit (before and after).

Which years. A date that changes from d1 to d2 changes only the comparisons
with day boundaries between d1 and d2 (a tenancy held on 31 December, a
visit in the year), so the years from d1 to d2 are affected; an empty end
date ("still living there") counts as today. A record created or deleted,
or one whose other fields change (an outcome, the apartment), affects
every year from its first date to its last (today while open). Each range
is then widened:
- back by LOOKBACK_MONTHS: a figure of Y can compare a record with one up to
  three months later (a decision executed within three months, a first
  visit within 48 hours of an order of 30 December);
- forward by the model's `reach`: every figure of Y+1 carries Y as its
  "Y−1", and the takeover candidates of Y look three years back at the
  tenancies (CANDIDATE_YEARS).
Only closed years count (the running year is always counted live). A
Client or an Apartment whose counted attributes change (a birth date, the
kind of apartment) affects every closed year of its unit.

No query is made when no closed year is affected — a new visit today, a
move-in this year — so ordinary writes cost nothing; a correction costs one
query, two more when kept figures exist.

QuerySet.update() and bulk_create() bypass save(). A service that corrects
a counted record with update() sends core.signals.records_updated (the
arrears termination's notice outcome), received here; a vacancy's end is
moved with update() only by a move-in, whose tenancy's own save covers the
same dates; the rent runs' bulk notices are dated in the running year.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.db import models
from django.db.models.signals import post_init, post_save, pre_delete
from django.utils import timezone

from core.calendar import add_months
from core.signals import records_updated
from tenancies.models import ApartmentStatus

from .forms import FIRST_YEAR
from .kpis.housing import CANDIDATE_YEARS
from .year_figures import invalidate

LOOKBACK_MONTHS = 3
SNAPSHOT = "_kpi_loaded"


_suspended = threading.local()


@contextmanager
def suspended() -> Iterator[None]:
    """Bulk writers that date their records in past years by the thousand
    (seed_demo) skip the per-record work; on leaving, every kept row is
    marked stale and recounted instead (one query when there is none)."""
    _suspended.on = True
    try:
        yield
    finally:
        _suspended.on = False
    invalidate(None, range(FIRST_YEAR, timezone.localdate().year))


@dataclass(frozen=True)
class Watch:
    # The path from the record to its unit as the KPI engine filters it
    # (reports.kpis: unit_filter); None: the figures of every unit.
    unit: str | None
    # Years after a change that can see it (see the module docstring).
    reach: int = 1
    # The record is open (lasts until today) while all of these are empty.
    open_end: tuple[str, ...] = ()
    # The counted attributes when they are not the record's own dates and
    # fields: a change of one affects every closed year of the unit.
    whole: tuple[str, ...] = ()
    # A change of `status` counts (as `whole`) only to or from these: the
    # figures read the status only for apartments that left the programme.
    whole_status: tuple[str, ...] = ()
    # Fields that only say something about one of the record's dates (why a
    # tenancy ended): a change counts at that date, as if it had moved.
    about: tuple[tuple[str, str], ...] = ()
    # Fields that are bookkeeping, not counted.
    ignore: tuple[str, ...] = ()
    # The year a record is about (reports.EnforcementFigures has no dates).
    year_field: str | None = None
    # Whether a new or deleted record changes figures by itself (a client
    # does not: the records about them carry the dates).
    counted_alone: bool = True


# Every model the KPI engine, the charts and the PDF count (reports/kpis/*).
WATCHED: dict[str, Watch] = {
    "tenancies.Tenancy": Watch("apartment__unit", reach=CANDIDATE_YEARS + 1, open_end=("end_date",),
                               about=(("end_reason", "end_date"), ("end_note", "end_date"))),
    "tenancies.Vacancy": Watch("apartment__unit", open_end=("ended_on",)),
    "tenancies.Complaint": Watch("apartment__unit"),
    # In the stock from its lease's start until its end (or today).
    "tenancies.Apartment": Watch("unit", open_end=("lease_end",),
                                 whole=("unit", "kind", "tenure", "lease_start", "lease_end"),
                                 whole_status=(ApartmentStatus.LEFT_PROGRAMME,)),
    "referrals.Client": Watch("unit", whole=("unit", "birth_date", "legal_gender", "protection_level",
                                             "children_in_home"), counted_alone=False),
    "referrals.Decision": Watch("client__unit", open_end=("valid_to",)),
    "referrals.Interruption": Watch("decision__client__unit", open_end=("ended_on",)),
    "referrals.EvictionNotice": Watch("unit"),
    "referrals.Order": Watch("unit", open_end=("completed_at", "cancelled_at")),
    "referrals.HousingFirstCandidate": Watch("unit"),
    "bolots.Visit": Watch("order__unit"),
    "bolots.Enrolment": Watch("client__unit"),
    "rent.RentNotice": Watch("tenancy__apartment__unit"),
    "rent.RepaymentPlan": Watch("tenancy__apartment__unit"),
    "rent.PlanInstalment": Watch("plan__tenancy__apartment__unit"),
    "reports.EnforcementFigures": Watch(None, year_field="year"),
}


def _watch(sender) -> Watch | None:
    return WATCHED.get(sender._meta.label)


def _fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _is_date(field: models.Field) -> bool:
    return isinstance(field, models.DateField)  # DateTimeField is one too


_COUNTED: dict[type, tuple[list[str], list[str]]] = {}


def _counted(model, watch: Watch) -> tuple[list[str], list[str]]:
    """(date attnames, other attnames) of `model` that the figures can count
    (worked out once per model: post_init runs for every row loaded)."""
    if model in _COUNTED:
        return _COUNTED[model]
    dates, others = [], []
    for field in _fields(model):
        if field.name in watch.ignore or field.name == "version" or getattr(field, "auto_now", False) \
                or getattr(field, "auto_now_add", False):
            continue
        (dates if _is_date(field) else others).append(field.attname)
    _COUNTED[model] = dates, others
    return dates, others


def _values(instance, watch: Watch) -> dict:
    dates, others = _counted(type(instance), watch)
    return {name: instance.__dict__.get(name) for name in (*dates, *others)}


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _years(first: date, last: date, reach: int) -> range:
    return range(add_months(first, -LOOKBACK_MONTHS).year, last.year + reach + 1)


def _span(values: dict, model, watch: Watch, today: date) -> set[int]:
    """The years a record (its `values`) is counted in, widened."""
    if watch.year_field:
        year = values.get(watch.year_field)
        return set(range(year, year + watch.reach + 1)) if year else set()
    dates, _others = _counted(model, watch)
    days = [_day(values[name]) for name in dates if values.get(name) is not None]
    if watch.open_end and all(values.get(_attname(model, name)) is None for name in watch.open_end):
        days.append(today)
    return set(_years(min(days), max(days), watch.reach)) if days else set()


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def changed_years(model, watch: Watch, old: dict | None, new: dict | None, today: date) -> set[int] | None:
    """The years whose figures a write can change: None for "every year"
    (a counted attribute of a Client or an Apartment)."""
    if old is None or new is None:
        return _span(old or new, model, watch, today) if watch.counted_alone else set()
    if watch.whole:
        names = [_attname(model, name) for name in watch.whole]
        status = old.get("status") != new.get("status") and bool(
            {old.get("status"), new.get("status")} & set(watch.whole_status))
        return None if status or any(old.get(name) != new.get(name) for name in names) else set()
    dates, others = _counted(model, watch)
    about = {_attname(model, name): _attname(model, date_name) for name, date_name in watch.about}
    if any(old[name] != new[name] for name in others if name not in about):
        return _span(old, model, watch, today) | _span(new, model, watch, today)
    moved = {about[name] for name in about if old.get(name) != new.get(name)}
    years: set[int] = set()
    open_names = {_attname(model, name) for name in watch.open_end}
    for name in dates:
        before, after = _day(old[name]), _day(new[name])
        if before == after and name not in moved:
            continue
        if name in open_names:
            before, after = before or today, after or today
        days = [day for day in (before, after) if day is not None]
        years |= set(_years(min(days), max(days), watch.reach))
    return years


# --- Units ---------------------------------------------------------------------------------------


def _unit_of(model, watch: Watch, values: dict):
    """The unit id of a record with `values` (an int), or a subquery giving
    it through the first foreign key on the path (no query here)."""
    hop, _sep, rest = watch.unit.partition("__")
    field = model._meta.get_field(hop)
    value = values.get(field.attname)
    if value is None:
        return None
    if not rest:
        return value
    return field.related_model._base_manager.filter(pk=value).values(rest)


# --- Receivers -----------------------------------------------------------------------------------


def _closed(years: set[int] | None, today: date) -> set[int]:
    last = today.year - 1
    if years is None:
        return set(range(FIRST_YEAR, last + 1))
    return {year for year in years if FIRST_YEAR <= year <= last}


def _invalidate(model, watch: Watch, old: dict | None, new: dict | None) -> None:
    if getattr(_suspended, "on", False):
        return
    today = timezone.localdate()
    years = _closed(changed_years(model, watch, old, new, today), today)
    if not years:
        return
    if watch.unit is None:
        invalidate(None, years)
        return
    units = [unit for unit in (_unit_of(model, watch, values) for values in (old, new) if values) if unit is not None]
    if units:
        invalidate(units, years)


def remember(sender, instance, **kwargs) -> None:
    """post_init: the values as loaded, to compare with at save (no query)."""
    watch = _watch(sender)
    if watch is not None:
        instance.__dict__[SNAPSHOT] = _values(instance, watch)


def saved(sender, instance, created, raw=False, **kwargs) -> None:
    watch = _watch(sender)
    if watch is None or raw:
        return
    new = _values(instance, watch)
    old = None if created else instance.__dict__.get(SNAPSHOT)
    _invalidate(sender, watch, old, new)
    instance.__dict__[SNAPSHOT] = new


def deleted(sender, instance, **kwargs) -> None:
    """pre_delete: the row (and the path to its unit) still exists; the
    stale mark is rolled back with the delete if that fails."""
    watch = _watch(sender)
    if watch is not None:
        _invalidate(sender, watch, None, _values(instance, watch))


def updated(sender, pks, **kwargs) -> None:
    """core.signals.records_updated: records written with QuerySet.update()
    (old values unknown: every year of each record as stored now)."""
    watch = _watch(sender)
    if watch is None:
        return
    for instance in sender._base_manager.filter(pk__in=pks):
        _invalidate(sender, watch, None, instance.__dict__[SNAPSHOT])


def connect() -> None:
    """ReportsConfig.ready(): connect the receivers to every watched model."""
    records_updated.connect(updated, dispatch_uid="reports.invalidation.records_updated")
    for label in WATCHED:
        model = apps.get_model(label)
        uid = f"reports.invalidation.{label}"
        post_init.connect(remember, sender=model, dispatch_uid=uid)
        post_save.connect(saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(deleted, sender=model, dispatch_uid=uid)
