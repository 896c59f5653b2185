"""The four charts of the goal dashboard, also used by the yearly PDF.

Each chart has a data function `(year, unit) -> ChartData` that counts in
the database (one grouped query each: no record is read into Python, so the
cost and the number of queries do not grow with the data) and a chart
function `(year, unit) -> SafeString` that renders the same data as SVG with
core.charts.bar_chart_svg. Pages show the numbers in a table next to
the chart (`ChartData.rows()`), so a chart is never the only way to them.

`unit` is an accounts.Unit (or its id); None counts every unit.

The figures of a year are measures of the KPI engine (reports.kpis) counted
per month or per end reason (`counts_by`, `visits.monthly_counts`), so the
bars add up to the engine's figures. Counting rules (also printed on the
dashboard):

- eviction notices: by the month of `received_on`;
- visits: the KPI engine's visit measures (reports.kpis.visits) by the month
  of the visit in Swedish time; "done" is outcome done, "cancelled" every
  other outcome (as on the cancellations page);
- apartments by status: for the current year the status registered now; for
  an earlier year the state on 31 December, derived from the tenancies
  (occupied: a tenancy held that day), since the register keeps no history
  of the status field;
- tenancy end reasons: tenancies whose move-out day falls in the year.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.charts import bar_chart_svg
from core.formatting import number
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, EndReason, Tenancy

from .kpis import evictions, housing
from .kpis import rent as rent_figures
from .kpis.common import counts_by
from .kpis.visits import ALL, monthly_counts, visit_key

TZ = ZoneInfo(settings.TIME_ZONE)
MONTHS = range(1, 13)

# Short category labels for the end-reason chart: the full labels
# (EndReason) are too long for an axis; the table beside the chart uses the
# full ones.
END_REASON_SHORT = {
    EndReason.OWN_HOUSING: gettext_lazy("Own housing"),
    EndReason.FIRST_HAND_TAKEOVER: gettext_lazy("Takeover"),
    EndReason.MOVED_WITHIN_PROGRAMME: gettext_lazy("Internal move"),
    EndReason.OTHER_PLACEMENT: gettext_lazy("Placement"),
    EndReason.TERMINATED_ARREARS: gettext_lazy("Arrears"),
    EndReason.TERMINATED_DISTURBANCE: gettext_lazy("Disturbance"),
    EndReason.EVICTED: gettext_lazy("Evicted"),
    EndReason.DIED: gettext_lazy("Died"),
    EndReason.MOVED_AWAY_UNKNOWN: gettext_lazy("Unknown"),
}
OCCUPIED = "occupied"
NOT_LET = "not_let"


@dataclass(frozen=True)
class ChartData:
    """Categories (x axis) and series (legend label -> one value per
    category), with the texts the chart and its table need."""

    key: str
    title: str
    categories: tuple[str, ...]
    series: dict = field(default_factory=dict)
    y_label: str = ""
    description: str = ""
    stacked: bool = False
    # Full category labels for the table (the axis may use short ones).
    row_labels: tuple[str, ...] = ()
    size: tuple[float, float] = (8.0, 3.6)
    # False for balances (the arrears at each month end): a total of the
    # months means nothing, so the table has no total row.
    summable: bool = True

    def rows(self):
        """[(category label, [value per series])] for the table beside the chart."""
        labels = self.row_labels or self.categories
        return [
            (label, [values[index] for values in self.series.values()])
            for index, label in enumerate(labels)
        ]

    def totals(self):
        """[total per series] in the legend's order."""
        return [sum(value for value in values if value is not None) for values in self.series.values()]

    @property
    def total(self):
        return sum(self.totals())


def render(data: ChartData) -> SafeString:
    return bar_chart_svg(
        data.categories,
        data.series,
        title=data.title,
        y_label=data.y_label,
        description=data.description,
        stacked=data.stacked,
        size=data.size,
        chart_id=f"chart-{data.key}",
    )


def _without_empty(series):
    """Leave out the series that are zero throughout (a kind of apartment the
    unit has none of), unless every series is."""
    kept = {label: values for label, values in series.items() if any(values)}
    return kept or series


def _unit_id(unit):
    return getattr(unit, "pk", unit)


def _month_labels():
    return tuple(str(MONTHS_3[month]) for month in MONTHS)


def _peak(values):
    """'maj (7)' for the month with the most, or '' when all are zero."""
    highest = max(values, default=0)
    if not highest:
        return ""
    month = values.index(highest) + 1
    return f"{MONTHS_3[month]} ({number(highest)})"


def _same_in_table():
    return _("The same figures are in the table next to the chart.")


# --- Eviction notices per month ---------------------------------------------------------


def eviction_notices_data(year, unit=None) -> ChartData:
    """The measures kpi2.notices and notices with children per month of
    `received_on`: one grouped query."""
    counts = counts_by([evictions.N["kpi2.notices"], evictions.WITH_CHILDREN], year, unit,
                       by="month", expression=ExtractMonth("received_on"))
    received = [counts["kpi2.notices"].get(month, 0) for month in MONTHS]
    with_children = [counts[evictions.WITH_CHILDREN.key].get(month, 0) for month in MONTHS]
    total = sum(received)
    description = _(
        "Eviction notices received per month %(year)s: %(total)s in all, %(children)s of them in households "
        "with children."
    ) % {"year": year, "total": number(total), "children": number(sum(with_children))}
    if total:
        description += " " + _("Most in %(peak)s.") % {"peak": _peak(received)}
    return ChartData(
        key="eviction-notices",
        title=_("Eviction notices per month %(year)s") % {"year": year},
        categories=_month_labels(),
        series={_("Notices received"): received, _("Of which households with children"): with_children},
        y_label=_("Number of notices"),
        description=description + " " + _same_in_table(),
    )


def eviction_notices_chart(year, unit=None) -> SafeString:
    return render(eviction_notices_data(year, unit))


# --- Visits done and cancelled per month -------------------------------------------------


def visits_data(year, unit=None) -> ChartData:
    """Visits done and cancelled per month: the KPI engine's measures
    visits.all.done and visits.all.cancelled, month by month (one query)."""
    done, cancelled = visit_key(ALL, "done"), visit_key(ALL, "cancelled")
    counts = monthly_counts(year, unit, keys=(done, cancelled))
    return visits_chart_data(year, counts[done], counts[cancelled])


def visits_chart_data(year, done, cancelled) -> ChartData:
    """The visits chart from visits done and cancelled per month (12 each),
    for a caller that has counted them already (the yearly PDF, from the
    same measures)."""
    done, cancelled = list(done), list(cancelled)
    description = _(
        "Visits per month %(year)s: %(done)s done and %(cancelled)s cancelled (cancelled by the client, "
        "no-show, cancelled by staff or nobody home)."
    ) % {"year": year, "done": number(sum(done)), "cancelled": number(sum(cancelled))}
    return ChartData(
        key="visits",
        title=_("Visits done and cancelled per month %(year)s") % {"year": year},
        categories=_month_labels(),
        series={_("Visits done"): done, _("Cancelled visits"): cancelled},
        y_label=_("Number of visits"),
        description=description + " " + _same_in_table(),
    )


def visits_chart(year, unit=None) -> SafeString:
    return render(visits_data(year, unit))


# --- Apartments by status -------------------------------------------------------------------


def apartment_status_is_current(year, today=None):
    """True when the chart shows the status now (the year is not over)."""
    return year >= (today or timezone.localdate()).year


def apartment_status_data(year, unit=None, today=None) -> ChartData:
    """Apartments by status and kind: now for the current year, on
    31 December for an earlier one (see the module docstring)."""
    apartments = Apartment.objects.all()
    if unit is not None:
        apartments = apartments.filter(unit_id=_unit_id(unit))
    kinds = list(ApartmentKind)
    if apartment_status_is_current(year, today):
        statuses = [(status.value, status.label) for status in ApartmentStatus]
        rows = apartments.values("status", "kind").annotate(n=Count("id")).order_by()
        counts = {(row["status"], row["kind"]): row["n"] for row in rows}
        title = _("Apartments by status now")
        intro = _("Apartments by status now, by kind of apartment:")
    else:
        day = date(year, 12, 31)
        held = Tenancy.objects.filter(apartment=OuterRef("pk")).held_on(day)
        earlier = Tenancy.objects.filter(apartment=OuterRef("pk"), start_date__lte=day)
        end_of_day = datetime(year + 1, 1, 1, tzinfo=TZ)
        # In the programme that day: the lease covered it, and the apartment
        # was registered by then or had a tenancy by then (imported history).
        in_programme = (
            (Q(lease_start__isnull=True) | Q(lease_start__lte=day))
            & (Q(lease_end__isnull=True) | Q(lease_end__gte=day))
            & (Q(created_at__lt=end_of_day) | Q(Exists(earlier)))
        )
        rows = (
            apartments.filter(in_programme).annotate(occupied=Exists(held))
            .values("occupied", "kind").annotate(n=Count("id")).order_by()
        )
        counts = {(OCCUPIED if row["occupied"] else NOT_LET, row["kind"]): row["n"] for row in rows}
        statuses = [(OCCUPIED, _("Occupied")), (NOT_LET, _("Not let"))]
        title = _("Apartments on 31 December %(year)s") % {"year": year}
        intro = _("Apartments on 31 December %(year)s, occupied or not let, by kind of apartment:") % {"year": year}
    series = {str(kind.label): [counts.get((status, kind.value), 0) for status, _label in statuses] for kind in kinds}
    totals = [sum(values[index] for values in series.values()) for index in range(len(statuses))]
    parts = ", ".join(f"{label} {number(n)}" for (_status, label), n in zip(statuses, totals, strict=True))
    return ChartData(
        key="apartments",
        title=title,
        categories=tuple(str(label) for _status, label in statuses),
        series=_without_empty(series),
        y_label=_("Number of apartments"),
        description=f"{intro} {parts}. {_same_in_table()}",
    )


def apartment_status_chart(year, unit=None, today=None) -> SafeString:
    return render(apartment_status_data(year, unit, today))


# --- Tenancy end reasons ------------------------------------------------------------------------


def end_reasons_data(year, unit=None) -> ChartData:
    """Tenancies ended in `year` by end reason, training apartments apart
    from the other kinds: the measures housing.ENDED per end reason, one
    grouped query."""
    training_measure, other_measure = housing.ENDED["training"], housing.ENDED["other"]
    counts = counts_by([training_measure, other_measure], year, unit, by="end_reason")
    reasons = list(EndReason)
    training = [counts[training_measure.key].get(reason.value, 0) for reason in reasons]
    other = [counts[other_measure.key].get(reason.value, 0) for reason in reasons]
    ended = sum(training) + sum(other)
    description = _(
        "Tenancies ended %(year)s by reason: %(total)s in all, %(training)s of them in training apartments."
    ) % {"year": year, "total": number(ended), "training": number(sum(training))}
    if ended:
        parts = ", ".join(
            f"{reason.label} {number(t + o)}" for reason, t, o in zip(reasons, training, other, strict=True) if t + o
        )
        description += f" {parts}."
    return ChartData(
        key="end-reasons",
        title=_("Tenancies ended %(year)s by reason") % {"year": year},
        categories=tuple(str(END_REASON_SHORT[reason]) for reason in reasons),
        row_labels=tuple(str(reason.label) for reason in reasons),
        series=_without_empty({_("Training apartments"): training, _("Other apartments"): other}),
        y_label=_("Number of tenancies"),
        description=description + " " + _same_in_table(),
        size=(10.0, 3.6),
    )


def end_reasons_chart(year, unit=None) -> SafeString:
    return render(end_reasons_data(year, unit))


# --- Rent arrears per month ------------------------------------------------------------------------


def arrears_trend_data(year, unit=None) -> ChartData:
    """The arrears at each month end of Y and Y−1 in whole kronor (the KPI
    engine's rent figures, reports.kpis.rent: one query). A month of the
    running year not yet begun is left empty (0 in the chart, "–" in the
    table)."""
    months = rent_figures.arrears_by_month(year, unit)

    def kronor(values):
        return [None if value is None else int(value) // 100 for value in values]

    now, before = kronor(months[year]), kronor(months[year - 1])
    last = next((value for value in reversed(now) if value is not None), 0)
    description = pgettext(
        "rent figures",
        "Rent arrears at each month end %(year)s compared with %(previous)s, in kronor: %(last)s kr at the "
        "last month end counted."
    ) % {"year": year, "previous": year - 1, "last": number(last)}
    return ChartData(
        key="arrears-trend",
        title=pgettext("rent figures", "Rent arrears per month end %(year)s") % {"year": year},
        categories=_month_labels(),
        series={str(year): now, str(year - 1): before},
        y_label=pgettext("rent figures", "Kronor"),
        description=description + " " + _same_in_table(),
        summable=False,
    )


def arrears_trend_chart(year, unit=None) -> SafeString:
    return render(arrears_trend_data(year, unit))


# --- All of them -----------------------------------------------------------------------------------------


def dashboard_chart_data(year, unit=None, today=None) -> list[ChartData]:
    """The five charts' data, in the dashboard's order: five queries."""
    return [
        eviction_notices_data(year, unit),
        visits_data(year, unit),
        apartment_status_data(year, unit, today),
        end_reasons_data(year, unit),
        arrears_trend_data(year, unit),
    ]


def dashboard_charts(year, unit=None, today=None):
    """[(ChartData, svg)] for the five charts, in the dashboard's order:
    five queries."""
    return [(data, render(data)) for data in dashboard_chart_data(year, unit, today)]
