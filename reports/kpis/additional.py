"""The additional figures of DOMAIN.md ("Also reported"), each for Y and Y−1.

One aggregate query per section: visits, complaints, tenants (self-supporting
share and years in the apartment), apartments, decisions waiting. The
arrears figures wait for the rent module and are shown as not available.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bolots.models import CancelReason, Visit, VisitOutcome
from bolots.services.statistics import young_adult_visits
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Complaint, ComplaintKind, Tenancy, Tenure

from . import decisions as decision_kpis
from .common import (
    DaysBetween,
    Measure,
    Year,
    aggregate_measures,
    count_figure,
    day_value,
    one_decimal,
    register,
    share,
    unit_filter,
    unit_key,
)
from .housing import clients, held_on, tenancies, two_years
from .result import Figure, FigureSection

DAYS_PER_YEAR = 365.25

# --- Visits ----------------------------------------------------------------------------


def visits(unit=None):
    return Visit.objects.filter(unit_filter(unit, "order__unit"))


@dataclass(frozen=True)
class VisitCount:
    """Which visits a visit figure counts: young adults only or all, the
    outcomes (None: any) and the cancellation reason (None: any, "": none).
    Both the SQL condition (the record list) and the test of a grouped row
    (the figure) are derived from it, so they cannot disagree."""

    young: bool
    outcomes: tuple | None = None
    reason: str | None = None

    def condition(self, year):
        q = Year(year).times("visited_at")
        if self.young:
            q &= young_adult_visits()
        if self.outcomes is not None:
            q &= Q(outcome__in=self.outcomes)
        if self.reason is not None:
            q &= Q(cancel_reason=self.reason)
        return q

    def matches(self, row):
        return (
            (row["young"] or not self.young)
            and (self.outcomes is None or row["outcome"] in self.outcomes)
            and (self.reason is None or row["cancel_reason"] == self.reason)
        )


def _visit_measures():
    """planned / done / cancelled / per reason / without reason, for all
    visits and for young adults (18–25 on the day of the visit), with the
    definitions of bolots.services.statistics: planned is every logged
    visit; cancelled every outcome but done (VisitOutcome.cancellations)."""
    cancelled = tuple(VisitOutcome.cancellations())
    measures, counts = [], {}
    for group, young, prefix in (("all", False, ""), ("young", True, _("18–25 years: "))):
        specs = [
            ("planned", _("Visits planned"), VisitCount(young)),
            ("done", _("Visits done"), VisitCount(young, (VisitOutcome.DONE,))),
            ("cancelled", _("Visits cancelled (including no-show and nobody home)"), VisitCount(young, cancelled)),
            *(
                (f"reason_{reason.value}", reason.label, VisitCount(young, cancelled, reason.value))
                for reason in CancelReason
            ),
            ("no_reason", _("Cancelled without a reason"), VisitCount(young, cancelled, "")),
        ]
        for name, label, spec in specs:
            key = f"visits.{group}.{name}"
            measures.append(Measure(key, _label(prefix, label), "visit", visits, spec.condition))
            counts[key] = spec
    return register(*measures), counts


def _label(prefix, label):
    """A lazy "prefix + label", translated when shown."""
    return format_lazy("{}{}", prefix, label) if prefix else label


VISIT_MEASURES, VISIT_COUNTS = _visit_measures()


def visit_section(year, unit=None):
    """One grouped query over the visits of Y−1 and Y (a range on the
    indexed visited_at), grouped by outcome and reason with four counts per
    group (each year, all and young adults): at most outcomes × reasons
    rows come back, whatever the number of visits, and each figure sums
    the rows its VisitCount matches. (Grouping by two plain columns with
    few filtered counts costs the database less per visit than grouping by
    the year and age group as computed columns.)"""
    this_year, last_year = Year(year), Year(year - 1)
    young = young_adult_visits()
    # Within the two years' range, "in Y" is one comparison and Y−1 the rest:
    # the fewest conditions per visit.
    in_year = Q(visited_at__gte=this_year.starts_at)
    grouped = (
        visits(unit)
        .filter(visited_at__gte=last_year.starts_at, visited_at__lt=this_year.ends_before)
        .values("outcome", "cancel_reason")
        .annotate(
            both_years=Count("pk"), this_year=Count("pk", filter=in_year),
            young_both_years=Count("pk", filter=young), young_this_year=Count("pk", filter=in_year & young),
        )
        .order_by()
    )
    # Rows as VisitCount.matches reads them: (year, young or not, outcome, reason).
    rows = []
    for group in grouped:
        per_year = {
            year: (group["this_year"], group["young_this_year"]),
            year - 1: (group["both_years"] - group["this_year"], group["young_both_years"] - group["young_this_year"]),
        }
        for y, (all_visits, young_visits) in per_year.items():
            for is_young, number in ((True, young_visits), (False, all_visits - young_visits)):
                rows.append({"bucket": y, "young": is_young, "outcome": group["outcome"],
                             "cancel_reason": group["cancel_reason"], "visits": number})
    figures = []
    for key, measure in VISIT_MEASURES.items():
        spec = VISIT_COUNTS[key]
        value, previous = (
            sum(row["visits"] for row in rows if row["bucket"] == y and spec.matches(row)) for y in (year, year - 1)
        )
        figures.append(Figure(key=key, label=measure.title, value=value, previous=previous, drilldown=key))
    return FigureSection(key="visits", title=_("Visits and cancellations"), figures=tuple(figures))


# --- Complaints and damage -------------------------------------------------------------


def complaints(unit=None):
    return Complaint.objects.filter(unit_filter(unit, "apartment__unit"))


def complaint_section(year, unit=None):
    """Complaints and damage logged in Y, by kind, and the apartments they
    concern. Complaints have no record list of their own (no access rule):
    the figures have no drill-down."""
    columns = {}
    for y in (year, year - 1):
        period = Year(y).dates("occurred_on")
        columns[f"total_{y}"] = Count("pk", filter=period)
        for kind in ComplaintKind.values:
            columns[f"{kind}_{y}"] = Count("pk", filter=period & Q(kind=kind))
        columns[f"apartments_{y}"] = Count("apartment", distinct=True, filter=period)
    row = complaints(unit).filter(
        occurred_on__gte=Year(year - 1).first, occurred_on__lte=Year(year).last
    ).aggregate(**columns)

    def figure(name, label):
        return Figure(key=f"complaints.{name}", label=label, value=row[f"{name}_{year}"],
                      previous=row[f"{name}_{year - 1}"])

    total = figure("total", _("Complaints and damage"))
    apartments = figure("apartments", _("Apartments with complaints or damage"))
    per_apartment = Figure(
        key="complaints.per_apartment", label=_("Complaints and damage per apartment concerned"),
        value=one_decimal(total.value / apartments.value) if apartments.value else None,
        previous=one_decimal(total.previous / apartments.previous) if apartments.previous else None,
    )
    by_kind = tuple(figure(kind.value, kind.label) for kind in ComplaintKind)
    return FigureSection(
        key="complaints", title=_("Complaints and damage"),
        figures=(total, *by_kind, apartments, per_apartment),
    )


# --- Tenants: self-supporting share, years in the apartment -------------------------------


def tenants_on(year):
    return held_on(Year(year).last)


def self_supporting_on(year):
    """The tenancies' rule (TenancyQuerySet.self_supporting_on): an income
    source of a self-supporting kind (salary, pension, student aid) covering
    31 December, registered on any tenancy of the same stay."""
    return Q(pk__in=Tenancy.objects.self_supporting_on(Year(year).last).values("pk"))


TENANT_MEASURES = register(
    Measure("tenants.on_31_december", _("Tenants on 31 December"), "client",
            tenancies, tenants_on, distinct="client", listed=clients),
    Measure("tenants.self_supporting", _("Self-supporting tenants on 31 December"), "client",
            tenancies, self_supporting_on, distinct="client", listed=clients),
)


def tenant_section(year, unit=None):
    averages = {
        f"days_{y}": Avg(DaysBetween(day_value(Year(y).last), F("start_date")), filter=tenants_on(y))
        for y in (year, year - 1)
    }
    counts, extra = aggregate_measures(
        tenancies(unit), list(TENANT_MEASURES.values()), year, scope=two_years(year),
        cache_key=("tenants", unit_key(unit)), **averages,
    )

    def c(key, y=year):
        return counts[(key, y)]

    def years_of(days):
        # float(): the database may return the average as a decimal.
        return None if days is None else one_decimal(float(days) / DAYS_PER_YEAR)

    tenants = count_figure(TENANT_MEASURES["tenants.on_31_december"], counts, year)
    supporting = count_figure(TENANT_MEASURES["tenants.self_supporting"], counts, year)
    return FigureSection(
        key="tenants", title=_("Tenants"),
        figures=(
            tenants,
            supporting,
            Figure(
                key="tenants.self_supporting_share", label=_("Self-supporting share"),
                value=share(c("tenants.self_supporting"), c("tenants.on_31_december")),
                previous=share(c("tenants.self_supporting", year - 1), c("tenants.on_31_december", year - 1)),
                kind="percent",
            ),
            Figure(
                key="tenants.average_years", label=_("Average years in the apartment (tenants on 31 December)"),
                value=years_of(extra[f"days_{year}"]), previous=years_of(extra[f"days_{year - 1}"]), kind="years",
            ),
        ),
    )


# --- Arrears (until rent exists) ---------------------------------------------------------


def arrears_section(year, unit=None):
    """Placeholders: rent notices and payments are not recorded yet, so the
    figures are not available (None) rather than zero."""
    return FigureSection(
        key="arrears", title=_("Rent arrears"),
        figures=(
            Figure(key="arrears.amount", label=_("Arrears on 31 December"), value=None, previous=None, kind="kr"),
            Figure(key="arrears.tenants", label=_("Tenants more than one month behind"), value=None, previous=None),
        ),
    )


# --- Apartments by kind and tenure -----------------------------------------------------------


def apartments(unit=None):
    return Apartment.objects.filter(unit_filter(unit, "unit"))


def in_programme(year):
    """Apartments in the programme at some time during Y: leased by then (no
    lease start means since before the register) and not returned before
    Y (a lease end before 1 January, or out of the programme without a
    recorded lease end)."""
    y = Year(year)
    return (Q(lease_start__isnull=True) | Q(lease_start__lte=y.last)) & (
        Q(lease_end__gte=y.first) | (Q(lease_end__isnull=True) & ~Q(status=ApartmentStatus.LEFT_PROGRAMME))
    )


def apartment_section(year, unit=None):
    """One grouped query: per kind and tenure, the apartments in the
    programme in Y and in Y−1 (at most 4 × 2 rows)."""
    rows = (
        apartments(unit)
        .filter(in_programme(year) | in_programme(year - 1))
        .values("kind", "tenure")
        .annotate(now=Count("pk", filter=in_programme(year)), before=Count("pk", filter=in_programme(year - 1)))
        .order_by()
    )
    found = {(row["kind"], row["tenure"]): (row["now"], row["before"]) for row in rows}
    figures = [
        Figure(key="apartments.total", label=_("Apartments in the programme"),
               value=sum(now for now, _before in found.values()),
               previous=sum(before for _now, before in found.values())),
    ]
    for kind in ApartmentKind:
        for tenure in Tenure:
            now, before = found.get((kind.value, tenure.value), (0, 0))
            figures.append(
                Figure(
                    key=f"apartments.{kind.value}.{tenure.value}",
                    label=format_lazy("{} – {}", kind.label, tenure.label),
                    value=now, previous=before,
                )
            )
    return FigureSection(key="apartments", title=_("Apartments by kind and tenure"), figures=tuple(figures))


# --- Decisions waiting ---------------------------------------------------------------------------


def decisions_section(year, unit=None):
    return FigureSection(
        key="decisions", title=_("Decisions waiting for execution"),
        figures=decision_kpis.waiting_section_counts(year, unit),
    )


def sections(year, unit=None):
    return (
        visit_section(year, unit),
        complaint_section(year, unit),
        arrears_section(year, unit),
        tenant_section(year, unit),
        apartment_section(year, unit),
        decisions_section(year, unit),
    )
