"""KPIs 1, 4, 5 and 7: training apartments (DOMAIN.md "The KPIs").

All four come from one aggregate query over tenancies (conditional counts for
Y and Y−1). Conventions: a tenancy's end date is the move-out day
(inclusive); "held during Y" overlaps 1 January – 31 December Y; internal
moves (Tenancy.is_internal_move, derived when the tenancy is registered) are
left out wherever new tenancies are counted.
"""

from django.db.models import Exists, F, Min, OuterRef, Q, Window
from django.utils.translation import gettext_lazy as _

from bolots.models import Enrolment
from core.calendar import years_before
from referrals.models import Client
from tenancies.models import ApartmentKind, EndReason, Tenancy

from .common import Measure, Year, aggregate_measures, count_figure, register, share, unit_filter, unit_key
from .result import KpiResult

TRAINING = Q(apartment__kind=ApartmentKind.TRAINING)
NOT_INTERNAL = Q(is_internal_move=False)
INDEPENDENT_REASONS = (EndReason.OWN_HOUSING, EndReason.FIRST_HAND_TAKEOVER)
CANDIDATE_YEARS = 3


def tenancies(unit=None):
    """Every tenancy, or those of `unit`'s apartments."""
    return Tenancy.objects.filter(unit_filter(unit, "apartment__unit"))


def clients():
    return Client.objects.all()


# --- Conditions ------------------------------------------------------------------


def held_during(year):
    y = Year(year)
    return Q(start_date__lte=y.last) & (Q(end_date__isnull=True) | Q(end_date__gte=y.first))


def held_on(day):
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def two_years(year):
    """Tenancies held at some time in Y−1 or Y: every tenancy counted for
    either year is one of them (a sargable pre-filter)."""
    return Q(start_date__lte=Year(year).last) & (Q(end_date__isnull=True) | Q(end_date__gte=Year(year - 1).first))


def ended_in(year, *reasons):
    return Year(year).dates("end_date") & Q(end_reason__in=reasons)


def new_training(year):
    """Training-apartment tenancies starting in Y that are not internal moves."""
    return TRAINING & NOT_INTERNAL & Year(year).dates("start_date")


# The conditions below that look at other records (an earlier tenancy, a
# course completion, a tenancy of another kind) are uncorrelated `IN` sets of
# ids, restricted to the year's candidates: the database builds each set once
# instead of probing other rows for every tenancy (a correlated subquery per
# row also pushed the aggregate's estimated cost over PostgreSQL's JIT
# threshold: seconds at national scale). The record lists use them as they
# are; the aggregate replaces the two costliest by window columns (below).


def _with_earlier_tenancy_of_apartment(year):
    """Ids of the new training-apartment tenancies of Y whose apartment had
    a tenancy starting before them."""
    return Tenancy.objects.filter(
        new_training(year),
        Exists(Tenancy.objects.filter(apartment=OuterRef("apartment"), start_date__lt=OuterRef("start_date"))),
    ).values("pk")


def _with_earlier_training_of_client(year):
    """Ids of the new training-apartment tenancies of Y whose client had a
    training-apartment tenancy starting before them."""
    return Tenancy.objects.filter(
        new_training(year),
        Exists(
            Tenancy.objects.filter(
                client=OuterRef("client"), apartment__kind=ApartmentKind.TRAINING, start_date__lt=OuterRef("start_date")
            )
        ),
    ).values("pk")


def reused(year):
    """Of the tenancies starting in Y: in an apartment that had an earlier tenancy."""
    return Q(pk__in=_with_earlier_tenancy_of_apartment(year))


def first_training(year):
    """The client's first-ever training-apartment tenancy, started in Y."""
    return new_training(year) & ~Q(pk__in=_with_earlier_training_of_client(year))


# --- The same conditions for the aggregate query ------------------------------------------
#
# The aggregate reads every training-apartment tenancy once (every figure of
# this module counts only those) — of every unit, or of the clients who ever
# had a tenancy in the unit's apartments: then every earlier training tenancy
# of those clients and every earlier tenancy of the unit's apartments is
# among them — and window functions give each row the first start date of
# its apartment and of its client's training-apartment tenancies. "An earlier tenancy" is then a
# comparison on the row instead of a lookup per row or a set built per
# figure and year: one pass over the tenancies for all the figures.

FIRST_START_IN_APARTMENT = "kpi_first_start_in_apartment"
FIRST_TRAINING_START = "kpi_first_training_start"


def tenancies_for_aggregate(unit=None):
    """The aggregate's base: training-apartment tenancies with the window
    columns (an apartment's tenancies are all of its kind). Not filtered by
    unit (that would leave out earlier tenancies in other units): the unit's
    own tenancies are picked by `within` (aggregate_tenancies_of)."""
    base = Tenancy.objects.filter(TRAINING)
    if unit is not None:
        base = base.filter(client__in=tenancies(unit).values("client"))
    return base.annotate(**{
        FIRST_START_IN_APARTMENT: Window(Min("start_date"), partition_by=[F("apartment")]),
        FIRST_TRAINING_START: Window(Min("start_date"), partition_by=[F("client")]),
    })


def aggregate_tenancies_of(unit):
    """The condition picking the unit's tenancies in the aggregate (None: all)."""
    return None if unit is None else Q(apartment__unit=unit)


def reused_on_row(year):
    return Q(start_date__gt=F(FIRST_START_IN_APARTMENT))


def first_training_on_row(year):
    """No training-apartment tenancy of the client started before this one
    (a training tenancy never starts before its client's first)."""
    return new_training(year) & Q(start_date__lte=F(FIRST_TRAINING_START))


def course_completed(year):
    """The client has a housing-course completion dated on or before 31 Dec Y."""
    return Q(client__in=Enrolment.objects.filter(completed_on__lte=Year(year).last).values("client"))


def takeover_candidate(year):
    """In a training apartment on 31 Dec Y, in the programme without a break
    (internal moves are continuous: Tenancy.continuous_since) for three
    years or more, and in training apartments only for those three years."""
    day = Year(year).last
    since = years_before(day, CANDIDATE_YEARS)
    in_training_since = TRAINING & held_on(day) & Q(continuous_since__lte=since)
    other_kind_in_window = Tenancy.objects.filter(
        client=OuterRef("client"),
        continuous_since=OuterRef("continuous_since"),
        start_date__lte=day,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=since)).exclude(apartment__kind=ApartmentKind.TRAINING)
    interrupted = Tenancy.objects.filter(in_training_since, Exists(other_kind_in_window)).values("pk")
    return in_training_since & ~Q(pk__in=interrupted)


# --- Measures (figures and their record lists) ------------------------------------------

# Not on the dashboard as figures (so not record lists): the end-reasons
# chart's two series, tenancies ended in Y in training apartments and in the
# others, counted per end reason (reports.charts.end_reasons_data).
ENDED = {
    "training": Measure("charts.ended_training", _("Training apartments"), "tenancy",
                        tenancies, lambda y: TRAINING & Year(y).dates("end_date")),
    "other": Measure("charts.ended_other", _("Other apartments"), "tenancy",
                     tenancies, lambda y: ~TRAINING & Year(y).dates("end_date")),
}

M = register(
    Measure(
        "kpi1.independent", _("Moved on to own housing or took over the first-hand contract"), "tenancy",
        tenancies, lambda y: TRAINING & ended_in(y, *INDEPENDENT_REASONS),
    ),
    Measure(
        "kpi1.own_housing", _("Moved on to own housing"), "tenancy",
        tenancies, lambda y: TRAINING & ended_in(y, EndReason.OWN_HOUSING),
    ),
    Measure(
        "kpi1.takeover", _("Took over the first-hand contract"), "tenancy",
        tenancies, lambda y: TRAINING & ended_in(y, EndReason.FIRST_HAND_TAKEOVER),
    ),
    Measure(
        "kpi1.clients", _("Clients who held a training apartment during the year"), "client",
        tenancies, lambda y: TRAINING & held_during(y), distinct="client", listed=clients,
    ),
    Measure(
        "kpi4.new_clients", _("Clients whose first training-apartment tenancy started in the year"), "client",
        tenancies, first_training, distinct="client", listed=clients, aggregate_condition=first_training_on_row,
    ),
    Measure(
        "kpi4.completed", _("Of them, with the housing course completed by 31 December"), "client",
        tenancies, lambda y: first_training(y) & course_completed(y), distinct="client", listed=clients,
        aggregate_condition=lambda y: first_training_on_row(y) & course_completed(y),
    ),
    Measure(
        "kpi5.new_tenancies", _("New training-apartment tenancies (internal moves left out)"), "tenancy",
        tenancies, new_training,
    ),
    Measure(
        "kpi5.reused", _("Of them, in an apartment that had an earlier tenancy"), "tenancy",
        tenancies, lambda y: new_training(y) & reused(y),
        aggregate_condition=lambda y: new_training(y) & reused_on_row(y),
    ),
    Measure(
        "kpi7.takeovers", _("First-hand takeovers"), "tenancy",
        tenancies, lambda y: TRAINING & ended_in(y, EndReason.FIRST_HAND_TAKEOVER),
    ),
    Measure(
        "kpi7.candidates", _("Tenants with three years or more in training apartments on 31 December (candidates)"),
        "client", tenancies, takeover_candidate, distinct="client", listed=clients,
    ),
)


# --- Texts -----------------------------------------------------------------------------

KPI1_GOAL = _("The individual moves on to independent housing of their own.")
KPI1_TARGET = _("at least 50 %")
KPI1_DEFINITION = _(
    "Training-apartment tenancies that ended during the year with the end reason own housing on the regular "
    "market or took over the first-hand contract, divided by the number of distinct clients who held a "
    "training-apartment tenancy at some time during the year (1 January–31 December; the move-out day counts "
    "as a day in the apartment)."
)
KPI4_GOAL = _("A mandatory housing course for everyone who moves into the municipality's training apartments.")
KPI4_TARGET = _("100 %")
KPI4_DEFINITION = _(
    "Clients whose first-ever training-apartment tenancy started during the year (internal moves left out), "
    "and of them the share with a completed housing course dated on or before 31 December of the year (the "
    "date of the last session needed)."
)
KPI5_GOAL = _(
    "Existing training apartments are reused to a greater extent, to keep new purchases of flats to a minimum."
)
KPI5_TARGET = _("at least 50 %")
KPI5_DEFINITION = _(
    "Training-apartment tenancies starting during the year that are not internal moves, in an apartment that "
    "had an earlier tenancy, divided by all training-apartment tenancies starting during the year that are "
    "not internal moves."
)
KPI7_GOAL = _("The tenant takes over the first-hand contract and signs it directly with the landlord.")
KPI7_TARGET = _("reported")
KPI7_DEFINITION = _(
    "Training-apartment tenancies that ended during the year with the end reason took over the first-hand "
    "contract. Candidates: tenants in a training apartment on 31 December who had then held training "
    "apartments for three years or more without a break, internal moves counting as continuous."
)


def compute(year, unit=None):
    """KpiResults 1, 4, 5 and 7 (in that order), one query."""
    counts, _extra = aggregate_measures(
        tenancies_for_aggregate(unit), list(M.values()), year, within=aggregate_tenancies_of(unit),
        cache_key=("housing", unit_key(unit)),
    )

    def c(key, y=year):
        return counts[(key, y)]

    def fig(key, **kwargs):
        return count_figure(M[key], counts, year, **kwargs)

    previous = year - 1
    kpi1_value, kpi1_previous = (
        share(c("kpi1.independent"), c("kpi1.clients")),
        share(c("kpi1.independent", previous), c("kpi1.clients", previous)),
    )
    kpi1 = KpiResult(
        number=1, key="kpi1", goal=KPI1_GOAL, target=KPI1_TARGET, definition=KPI1_DEFINITION,
        value=kpi1_value, previous=kpi1_previous, kind="percent",
        met=None if kpi1_value is None else kpi1_value >= 50,
        numerator=c("kpi1.independent"), denominator=c("kpi1.clients"),
        previous_numerator=c("kpi1.independent", previous), previous_denominator=c("kpi1.clients", previous),
        drilldown="kpi1.independent",
        figures=(fig("kpi1.independent"), fig("kpi1.own_housing"), fig("kpi1.takeover"), fig("kpi1.clients")),
    )
    kpi4_value = share(c("kpi4.completed"), c("kpi4.new_clients"))
    kpi4 = KpiResult(
        number=4, key="kpi4", goal=KPI4_GOAL, target=KPI4_TARGET, definition=KPI4_DEFINITION,
        value=kpi4_value, previous=share(c("kpi4.completed", previous), c("kpi4.new_clients", previous)),
        kind="percent", met=None if kpi4_value is None else kpi4_value >= 100,
        numerator=c("kpi4.completed"), denominator=c("kpi4.new_clients"),
        previous_numerator=c("kpi4.completed", previous), previous_denominator=c("kpi4.new_clients", previous),
        drilldown="kpi4.completed",
        figures=(fig("kpi4.new_clients"), fig("kpi4.completed")),
    )
    kpi5_value = share(c("kpi5.reused"), c("kpi5.new_tenancies"))
    kpi5 = KpiResult(
        number=5, key="kpi5", goal=KPI5_GOAL, target=KPI5_TARGET, definition=KPI5_DEFINITION,
        value=kpi5_value, previous=share(c("kpi5.reused", previous), c("kpi5.new_tenancies", previous)),
        kind="percent", met=None if kpi5_value is None else kpi5_value >= 50,
        numerator=c("kpi5.reused"), denominator=c("kpi5.new_tenancies"),
        previous_numerator=c("kpi5.reused", previous), previous_denominator=c("kpi5.new_tenancies", previous),
        drilldown="kpi5.reused",
        figures=(fig("kpi5.new_tenancies"), fig("kpi5.reused")),
    )
    kpi7 = KpiResult(
        number=7, key="kpi7", goal=KPI7_GOAL, target=KPI7_TARGET, definition=KPI7_DEFINITION,
        value=c("kpi7.takeovers"), previous=c("kpi7.takeovers", previous), kind="count", met=None,
        drilldown="kpi7.takeovers",
        figures=(fig("kpi7.takeovers"), fig("kpi7.candidates")),
    )
    return kpi1, kpi4, kpi5, kpi7
