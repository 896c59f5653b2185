"""The additional figures of DOMAIN.md ("Also reported"), each for Y and Y−1.

One aggregate query per section: visits (visits.py, the one definition of
the visit figures), complaints, tenants (self-supporting
share and years in the apartment), apartments, decisions waiting; the
rent figures (arrears, charged and collected, repayment plans) are rent.py's,
three queries.
"""

from django.db.models import Avg, Count, F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Complaint, ComplaintKind, Tenancy, Tenure

from . import decisions as decision_kpis
from . import housing_first, occupancy
from . import rent as rent_figures
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
from .visits import visit_section

DAYS_PER_YEAR = 365.25

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


# --- Rent: arrears, charged and collected, repayment plans (rent.py) -------------------------


def arrears_section(year, unit=None):
    """The rent figures' three sections (reports/kpis/rent.py)."""
    return rent_figures.sections(year, unit)


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
        *arrears_section(year, unit),
        tenant_section(year, unit),
        apartment_section(year, unit),
        # Occupancy of the stock (occupancy.py): three queries.
        occupancy.section(year, unit),
        decisions_section(year, unit),
        # Beside the training-apartment figures (issue 15 §2).
        housing_first.section(year, unit),
    )
