"""The kept figures of closed years that are not fixed (reports.YearFigures).

    kept_year(unit, year)          what the dashboard shows for a closed year
                                   not fixed: read (one query) or counted once
    fresh_year(unit, year)         what the exports and the yearly PDF show:
                                   the same, but a stale row is counted first
    count_year(unit_id, year)      count the year and keep it (first request,
                                   and the task after a correction)
    invalidate(pairs)              corrections: mark stale, recount after commit

A closed year that is not fixed is counted once, on the first request for
it, in that request (a closed year is asked for again and again, and a
progress page would cost the first visitor a second request for no gain:
the count takes about as long as the live page did). From then on the
dashboard reads the kept row. A correction of a record dated in the year
(reports.invalidation) marks the row stale and enqueues a recount
(reports.tasks_figures.recount_year); until it is done the dashboard shows
the kept figures with a note that they are being counted again, not a live
count. A stale row whose recount has not come back after
settings.YEAR_FIGURES_RECOUNT_AFTER seconds (a lost message, a worker that
was down) is enqueued again by the next dashboard request.

The KPI exports and the yearly PDF read the same kept figures through
fresh_year(), with one difference: a stale row is counted again first (a
file carries no "being counted again" note, and the PDF is the official
evaluation). docs/kpis.md "Scope".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from core.tasks import enqueue_after_commit

from .models import YearFigures
from .snapshots import FORMAT_VERSION, FrozenYear, is_closed, read_data, year_data

# Imported here, not lazily: ReportsConfig.ready() loads reports.invalidation,
# which loads this module, and so the worker knows the task.
from .tasks_figures import recount_year


@dataclass(frozen=True)
class KeptYear:
    """The kept figures of a closed year, in the KPI engine's own types."""

    figures: FrozenYear
    counted_at: datetime
    stale_since: datetime | None

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def label(self) -> str:
        """"Räknat 2026-01-15 06:12": shown below the figures."""
        return _("Counted %(time)s") % {"time": timezone.localtime(self.counted_at).strftime("%Y-%m-%d %H:%M")}


def _read(row: YearFigures) -> KeptYear:
    return KeptYear(figures=read_data(row.year, row.data, frozen_at=row.counted_at),
                    counted_at=row.counted_at, stale_since=row.stale_since)


def _usable(row: YearFigures | None) -> bool:
    return row is not None and row.data is not None and row.format_version == FORMAT_VERSION


def claim(unit_id: int, year: int) -> YearFigures:
    """The row of `unit_id` and `year`, created empty (and stale) if missing,
    committed before counting so that a correction during the count finds
    it (reports_yearfigures_one_per_unit_year decides a racing insert)."""
    try:
        with transaction.atomic():
            row, _created = YearFigures.objects.get_or_create(
                unit_id=unit_id, year=year, defaults={"stale_since": timezone.now()})
    except IntegrityError:
        row = YearFigures.objects.get(unit_id=unit_id, year=year)
    return row


def count_year(unit_id: int, year: int) -> tuple[dict, bool]:
    """Count `year` for the unit and keep it: (the data, kept). Not kept
    when a correction came while counting (the generation moved on): the
    row stays stale and the recount that correction enqueued keeps its own."""
    row = claim(unit_id, year)
    generation = row.generation
    data = year_data(year, Unit.objects.get(pk=unit_id))
    kept = YearFigures.objects.filter(pk=row.pk, generation=generation).update(
        data=data, format_version=FORMAT_VERSION, counted_at=timezone.now(), stale_since=None)
    return data, bool(kept)


def kept_year(unit: Unit, year: int, today=None) -> KeptYear:
    """The figures of closed `year` (not fixed) for the dashboard: the kept
    row (one query) or, never counted yet, counted now and kept. A stale row
    is shown as it is, and its recount enqueued again if overdue."""
    assert is_closed(year, today)
    row = YearFigures.objects.filter(unit=unit, year=year).first()
    if _usable(row):
        if row.stale_since is not None and _overdue(row.stale_since):
            enqueue_after_commit(recount_year, unit.pk, year)
        return _read(row)
    data, _kept = count_year(unit.pk, year)
    now = timezone.now()
    return KeptYear(figures=read_data(year, data, frozen_at=now), counted_at=now, stale_since=None)


def fresh_year(unit: Unit, year: int, today=None) -> KeptYear:
    """The figures of closed `year` (not fixed) for the KPI exports (CSV,
    XLSX) and the yearly PDF evaluation: the kept row when it is fresh (one
    query, no KPI query); counted now and kept when never counted, kept in
    an older format, or stale.

    Why a stale row is not shown as the dashboard shows it: the dashboard
    says on the page that the figures are being counted again; a file says
    nothing of the kind once it has left the system, and the PDF is the
    official evaluation handed to the committee. So a manager gets the
    figures after the correction, counted in this request or task, exactly
    as these files were counted every time before the figures were kept
    (the same cost, only now and then). The count is kept like any other
    (count_year): the dashboard shows it from then on, and the recount the
    correction enqueued finds a fresh row and does nothing. A correction
    that arrives during this count is not in the file, as it would not have
    been in a live count; it makes the row stale again as usual."""
    assert is_closed(year, today)
    row = YearFigures.objects.filter(unit=unit, year=year).first()
    if _usable(row) and row.stale_since is None:
        return _read(row)
    data, _kept = count_year(unit.pk, year)
    now = timezone.now()
    return KeptYear(figures=read_data(year, data, frozen_at=now), counted_at=now, stale_since=None)


def _overdue(stale_since: datetime) -> bool:
    return timezone.now() - stale_since > timedelta(seconds=settings.YEAR_FIGURES_RECOUNT_AFTER)


def invalidate(units: list | None, years: Iterable[int], today=None) -> set[tuple[int, int]]:
    """Mark the kept figures of `years` (closed ones) for `units` stale —
    unit ids or subqueries giving them; None for every unit — and enqueue
    their recount after the correction commits. Only rows that exist are
    marked (a year never counted is counted when first asked for). Returns
    the (unit id, year) pairs marked: one query when none, two otherwise."""
    years = {year for year in years if is_closed(year, today)}
    if not years or units == []:
        return set()
    rows = YearFigures.objects.filter(year__in=years)
    if units is not None:
        ids = [unit for unit in units if isinstance(unit, int)]
        condition = Q(unit_id__in=ids) if ids else Q(pk__in=[])
        for subquery in (unit for unit in units if not isinstance(unit, int)):
            condition |= Q(unit_id__in=subquery)
        rows = rows.filter(condition)
    found = {(unit_id, year): pk for pk, unit_id, year in rows.values_list("pk", "unit_id", "year")}
    if not found:
        return set()
    YearFigures.objects.filter(pk__in=found.values()).update(
        stale_since=Coalesce(F("stale_since"), timezone.now()), generation=F("generation") + 1)
    for unit_id, year in sorted(found):
        enqueue_after_commit(recount_year, unit_id, year)
    return set(found)
