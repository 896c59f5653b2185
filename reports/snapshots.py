"""Fixing the KPI figures of a closed year (reports.models.YearSnapshot).

    freeze_year(unit, year, user=...)          the manager's "Fastställ år"
    freeze_closed_years(culling_run_id=...)    before a culling run (apps.py)
    frozen_year(unit, year)                    the figures to show, or None

A closed year is a calendar year that has ended (Swedish time). It is fixed
by a manager on the dashboard, or automatically, for every unit and every
ended year with records, when a culling run is about to start
(core.signals.culling_about_to_start). The running year is never fixed: its
figures still change.

What is kept is what the pages show, counted once by the KPI engine: the
dashboard (KPIs, additional figures, caseload, the four charts), the
exports (the KPIs), the yearly PDF (besides those: visits per month for Y
and Y−1, tenants, orders and the number of bolotsar) and, per drill-down
list, how many records and distinct persons the figure counted. Texts
(goal, definition, labels) are kept in the site's language as they read
when fixed. The data is plain JSON with FORMAT_VERSION; numbers that are
shares are kept as decimal strings so that 12.5 stays Decimal("12.5").

A snapshot is never recomputed: see reports/models/snapshots.py and
docs/kpis.md "Closed years" for why and what a correction means. A closed
year not fixed has kept figures that follow corrections instead
(reports.year_figures); fixing it copies them when they are fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import Unit
from audit.models import AccessAction
from audit.services import log_access

from . import charts
from .kpis import (
    CaseloadRow,
    Figure,
    FigureSection,
    KpiResult,
    additional_figures,
    caseload_per_pilot,
    compute_kpis,
    occupancy,
    volumes,
)
from .kpis.cancellations import GROUPS, CancellationStatistics, Figures, monthly_figures
from .kpis.records import RECORD_LISTS
from .kpis.visits import MONTHS
from .models import YearFigures, YearSnapshot

if TYPE_CHECKING:
    from accounts.models import User
    from audit.context import AuditContext

FORMAT_VERSION = 1


class FreezeError(Exception):
    """The year cannot be fixed; the message is for the user."""


# --- Plain data ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses and named tuples as dicts, Decimal as a string
    (the only strings among the numbers), lazy texts resolved."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def _number(value):
    return Decimal(value) if isinstance(value, str) else value


def _figure(data: dict) -> Figure:
    return Figure(**{**data, "value": _number(data["value"]), "previous": _number(data["previous"])})


def _kpi(data: dict) -> KpiResult:
    return KpiResult(**{
        **data,
        "value": _number(data["value"]),
        "previous": _number(data["previous"]),
        "figures": tuple(_figure(item) for item in data["figures"]),
    })


def _section(data: dict) -> FigureSection:
    figures = tuple(_figure(item) for item in data["figures"])
    if "months" in data:
        # Occupancy (reports.kpis.occupancy) keeps its months of Y too.
        return occupancy.section_from(data["key"], data["title"], figures, data["months"])
    return FigureSection(key=data["key"], title=data["title"], figures=figures)


def _chart(data: dict) -> charts.ChartData:
    return charts.ChartData(**{
        **data,
        "categories": tuple(data["categories"]),
        "row_labels": tuple(data["row_labels"]),
        "size": tuple(data["size"]),
    })


def _monthly_plain(statistics: CancellationStatistics) -> dict:
    """Per age group the twelve months' counts (the totals are their sum)."""
    return {group: [_plain(statistics.months[group][month]) for month in MONTHS] for group in GROUPS}


def _monthly(year: int, data: dict) -> CancellationStatistics:
    months = {
        group: {month: Figures(**data[group][month - 1]) for month in MONTHS}
        for group in GROUPS
    }
    totals = {group: sum(months[group].values(), Figures()) for group in GROUPS}
    return CancellationStatistics(year=year, months=months, totals=totals)


# --- Counting a year once -----------------------------------------------------------------------


def record_counts(record_list, records) -> dict[str, int]:
    """{"records": n, "persons": distinct clients} of a drill-down list's
    records: one aggregate query. Records without a client (an outreach
    order for a person without a file) count as records, not persons."""
    if record_list.kind == "apartment":
        # Apartments (occupancy.empty_over_60): no person is counted.
        return {"records": records.count(), "persons": 0}
    persons = Count("pk") if record_list.kind == "client" else Count("client", distinct=True)
    return records.aggregate(records=Count("pk"), persons=persons)


def drilldown_counts(year: int, unit) -> dict[str, dict[str, int]]:
    """{drill-down key: record_counts()} for every list: one query each."""
    return {key: record_counts(record_list, record_list.records(year, unit))
            for key, record_list in RECORD_LISTS.items()}


def year_data(year: int, unit: Unit) -> dict:
    """Everything the dashboard, the exports and the PDF show for `year` and
    `unit`, as plain data (FORMAT_VERSION), counted by the KPI engine."""
    with translation.override(settings.LANGUAGE_CODE):
        supported, orders = volumes.order_volumes(year, unit)
        after = date(year + 1, 1, 1)
        return _plain({
            "kpis": compute_kpis(year, unit),
            "sections": additional_figures(year, unit),
            "caseload": caseload_per_pilot(year, unit),
            # The chart of apartments by status is the derived one of a
            # closed year (31 December), as the dashboard shows it.
            "charts": [data for data, _svg in charts.dashboard_charts(year, unit, after)],
            "pdf": {
                "visits": _monthly_plain(monthly_figures(year, unit)),
                "visits_previous": _monthly_plain(monthly_figures(year - 1, unit)),
                "supported": supported,
                "orders": orders,
                "tenants": volumes.tenant_volumes(year, unit),
                "staff": volumes.pilot_count(unit),
            },
            "drilldown": drilldown_counts(year, unit),
        })


# --- Fixing --------------------------------------------------------------------------------------


def is_closed(year: int, today: date | None = None) -> bool:
    return year < (today or timezone.localdate()).year


def freeze_year(unit: Unit, year: int, *, user: User | None = None, culling_run_id: int | None = None,
                today: date | None = None) -> tuple[YearSnapshot, bool]:
    """Fix `year` for `unit`: (snapshot, created). A year already fixed is
    returned as it is, never counted again. Raises FreezeError for a year
    that has not ended."""
    if not is_closed(year, today):
        raise FreezeError(_("The year %(year)s has not ended: its figures cannot be fixed yet.") % {"year": year})
    if user is None and culling_run_id is None:
        raise ValueError("a snapshot is fixed by a user or before a culling run")
    existing = YearSnapshot.objects.filter(unit=unit, year=year).first()
    if existing is not None:
        return existing, False
    # Kept figures that no correction has made stale are what a count would
    # give now (reports.invalidation marks them stale in the correction's own
    # transaction): fixing copies them. Otherwise the year is counted here,
    # outside the insert's savepoint: the reads take a while and hold no
    # lock; only the insert decides which of two racing freezes wins.
    kept = (YearFigures.objects.filter(unit=unit, year=year, stale_since__isnull=True,
                                       format_version=FORMAT_VERSION, data__isnull=False)
            .values_list("data", flat=True).first())
    data = kept if kept is not None else year_data(year, unit)
    try:
        with transaction.atomic():
            snapshot = YearSnapshot.objects.create(
                unit=unit, year=year, format_version=FORMAT_VERSION, data=data, frozen_at=timezone.now(),
                frozen_by=user, culling_run_id=culling_run_id,
            )
            # From now on the snapshot is read: the kept row would only be
            # recounted for nothing after every correction.
            YearFigures.objects.filter(unit=unit, year=year).delete()
    except IntegrityError:
        # reports_snapshot_one_per_unit_year: another freeze got there first.
        existing = YearSnapshot.objects.filter(unit=unit, year=year).first()
        if existing is None:
            raise
        return existing, False
    return snapshot, True


def fix_year(ctx: AuditContext, year: int) -> tuple[YearSnapshot, bool]:
    """The manager's "Fastställ år": fix `year` for the acting user's unit,
    and log who did it (the figures are aggregates; the row records the
    act, as a request for the yearly PDF is recorded)."""
    user = ctx.user
    if not user.unit_id:
        raise FreezeError(_("You belong to no unit, so there is nothing to fix."))
    snapshot, created = freeze_year(user.unit, year, user=user)
    if created:
        log_access(ctx, AccessAction.CREATE, snapshot, note=f"fixed {year}")
    return snapshot, created


def years_with_records(unit: Unit, today: date | None = None) -> list[int]:
    """The unit's ended years from its first record on (the dashboard's
    year list less the running year)."""
    from .views.dashboard import available_years

    today = today or timezone.localdate()
    return [year for year in available_years(unit, today) if is_closed(year, today)]


def freeze_closed_years(*, culling_run_id: int, today: date | None = None) -> list[YearSnapshot]:
    """Before culling: fix every ended year of every unit that has records
    and is not fixed yet. Returns the snapshots made."""
    made = []
    for unit in Unit.objects.order_by("pk"):
        frozen = set(YearSnapshot.objects.filter(unit=unit).values_list("year", flat=True))
        for year in years_with_records(unit, today):
            if year in frozen:
                continue
            snapshot, created = freeze_year(unit, year, culling_run_id=culling_run_id, today=today)
            if created:
                made.append(snapshot)
    return made


def on_culling_about_to_start(sender, run_id, **kwargs) -> None:
    """Receiver of core.signals.culling_about_to_start (ReportsConfig.ready)."""
    freeze_closed_years(culling_run_id=run_id)


# --- Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrozenYear:
    """A snapshot read back into the KPI engine's own types, so that the
    templates and the PDF code format it as they format live figures."""

    year: int
    frozen_at: datetime
    frozen_by: str
    culling_run_id: int | None
    kpis: tuple[KpiResult, ...]
    sections: tuple[FigureSection, ...]
    caseload: list[CaseloadRow]
    charts: list[charts.ChartData]
    drilldown: dict[str, dict[str, int]]
    pdf: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """"Fastställd 2026-01-15": shown beside the figures."""
        return _("Fixed %(date)s") % {"date": timezone.localtime(self.frozen_at).strftime("%Y-%m-%d")}

    @property
    def origin(self) -> str:
        if self.culling_run_id is not None:
            return _("before culling run #%(run)s") % {"run": self.culling_run_id}
        return _("by %(name)s") % {"name": self.frozen_by}

    def monthly_figures(self, previous: bool = False) -> CancellationStatistics:
        if previous:
            return _monthly(self.year - 1, self.pdf["visits_previous"])
        return _monthly(self.year, self.pdf["visits"])

    def order_volumes(self) -> tuple[Figure, tuple[Figure, ...]]:
        return _figure(self.pdf["supported"]), tuple(_figure(item) for item in self.pdf["orders"])

    def tenant_volumes(self) -> tuple[Figure, ...]:
        return tuple(_figure(item) for item in self.pdf["tenants"])

    def chart(self, key: str) -> charts.ChartData:
        return next(chart for chart in self.charts if chart.key == key)


def read(snapshot: YearSnapshot) -> FrozenYear:
    if snapshot.format_version != FORMAT_VERSION:
        # Only one layout exists; a later one adds its reader here.
        raise ValueError(f"snapshot {snapshot.pk}: unknown format {snapshot.format_version}")
    user = snapshot.frozen_by
    return read_data(snapshot.year, snapshot.data, frozen_at=snapshot.frozen_at,
                     frozen_by=(user.get_full_name() or user.username) if user else "",
                     culling_run_id=snapshot.culling_run_id)


def read_data(year: int, data: dict, *, frozen_at: datetime, frozen_by: str = "",
              culling_run_id: int | None = None) -> FrozenYear:
    """year_data() read back into the engine's types (also the kept figures
    of a year not fixed, reports.year_figures)."""
    return FrozenYear(
        year=year,
        frozen_at=frozen_at,
        frozen_by=frozen_by,
        culling_run_id=culling_run_id,
        kpis=tuple(_kpi(item) for item in data["kpis"]),
        sections=tuple(_section(item) for item in data["sections"]),
        caseload=[CaseloadRow(**row) for row in data["caseload"]],
        charts=[_chart(item) for item in data["charts"]],
        drilldown=data["drilldown"],
        pdf=data["pdf"],
    )


def frozen_year(unit, year: int) -> FrozenYear | None:
    """The fixed figures of `year` for `unit` (a Unit or its id), or None
    when the year is not fixed: one query."""
    snapshot = (YearSnapshot.objects.select_related("frozen_by")
                .filter(unit_id=getattr(unit, "pk", unit), year=year).first())
    return read(snapshot) if snapshot is not None else None


@dataclass(frozen=True)
class FrozenCounts:
    """What a fixed year's figure counted behind drill-down `key`."""

    records: int
    persons: int
    frozen_at: datetime

    @property
    def label(self) -> str:
        return _("Fixed %(date)s") % {"date": timezone.localtime(self.frozen_at).strftime("%Y-%m-%d")}


def frozen_counts(unit, year: int, key: str) -> FrozenCounts | None:
    """The counts of drill-down `key` in the snapshot of `year`, or None
    when the year is not fixed or was fixed before the list existed (e.g.
    the Housing First lists: a snapshot made earlier kept no count for them,
    and "0 when fixed" would be false; the page then counts live): one
    query, reading only the counts."""
    row = (YearSnapshot.objects.filter(unit_id=getattr(unit, "pk", unit), year=year)
           .values("frozen_at", "data__drilldown").first())
    if row is None:
        return None
    counts = (row["data__drilldown"] or {}).get(key)
    if counts is None:
        return None
    return FrozenCounts(records=counts["records"], persons=counts["persons"], frozen_at=row["frozen_at"])
