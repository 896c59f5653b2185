"""National statistics on a reference day (issue 15 §4; docs/housing-chain.md
"National statistics", docs/kpis.md "National statistics").

    national_figures(day, unit=None) -> NationalFigures   (one query)
    records(slug, day, unit=None)    -> the tenancies behind one figure

Two sets of questions municipalities answer every year, counted from the
tenancies instead of by hand:

- Boverket's housing-market survey (bostadsmarknadsenkäten), the questions
  Socialstyrelsen asks: men, women and households with children in
  training apartments, trial apartments and social contracts on the
  reference day. Our apartment kinds map to the survey's categories:
  training → träningslägenhet, trial → försökslägenhet, Housing First →
  socialt kontrakt (a second-hand contract from the social services, which
  is what a Housing First apartment is; the survey has no category of its
  own for it, so its row is named "Social contracts (Housing First)").
  Emergency apartments are short-term housing: not counted at all.
- Socialstyrelsen's homelessness mapping, situation 3: persons in long-term
  housing arranged by the social services on the day (training, trial and
  Housing First apartments), by legal gender and by age group.

A person is counted once per figure (distinct clients); a household is its
tenant, "with children" when the tenant's client record has children in
the home (Client.children_in_home > 0). A tenancy is held on the day from
the move-in day to the move-out day, both included.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.calendar import years_before
from referrals.models import LegalGender
from tenancies.models import ApartmentKind, EndReason, Tenancy

from .common import unit_filter
from .evictions import N, notices
from .housing import ended_in, held_on, tenancies


@dataclass(frozen=True)
class Category:
    slug: str
    label: str
    survey_label: str
    kinds: tuple


CATEGORIES = (
    Category("training", _("Training apartments"), "Träningslägenhet", (ApartmentKind.TRAINING,)),
    Category("trial", _("Trial apartments"), "Försökslägenhet", (ApartmentKind.TRIAL,)),
    Category("social-contract", _("Social contracts (Housing First)"), "Socialt kontrakt",
             (ApartmentKind.HOUSING_FIRST,)),
)
# Situation 3 of the homelessness mapping: every long-term kind above.
LONG_TERM = tuple(kind for category in CATEGORIES for kind in category.kinds)
SITUATION_3 = Category("situation3", _("Homelessness mapping, situation 3"), "Situation 3", LONG_TERM)

# The survey's columns: (slug, label, condition).
GROUPS = (
    ("men", _("Men"), Q(client__legal_gender=LegalGender.MALE)),
    ("women", _("Women"), Q(client__legal_gender=LegalGender.FEMALE)),
    ("children", _("Households with children"), Q(client__children_in_home__gt=0)),
    ("total", _("All persons"), Q()),
)

# The age groups of situation 3 (age on the reference day), lowest age and
# highest (None: and older).
AGE_GROUPS = ((0, 17), (18, 20), (21, 25), (26, 30), (31, 40), (41, 50), (51, 64), (65, None))


def age_slug(low, high):
    return f"age-{low}-{high}" if high is not None else f"age-{low}-plus"


def age_label(low, high):
    if low == 0:
        return _("Under 18 years")
    if high is None:
        return _("%(low)s years or older") % {"low": low}
    return _("%(low)s–%(high)s years") % {"low": low, "high": high}


def aged(day: date, low: int, high: int | None) -> Q:
    """Aged low..high on `day`: a birth-date range (sargable, no date
    arithmetic in SQL). Aged a on `day` means born after the day a + 1
    years before and on or before the day a years before."""
    condition = Q(client__birth_date__lte=years_before(day, low))
    if high is not None:
        condition &= Q(client__birth_date__gt=years_before(day, high + 1))
    return condition


@dataclass(frozen=True)
class Cell:
    slug: str
    label: str
    value: int


@dataclass(frozen=True)
class Row:
    category: Category
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class NationalFigures:
    day: date
    survey: tuple[Row, ...]
    # Situation 3: by gender (men, women, all) and by age group.
    situation3: Row
    situation3_ages: tuple[Cell, ...]


def conditions(day: date) -> dict[str, tuple[str, Q]]:
    """slug -> (label, condition on the tenancies held on `day`) of every
    figure; the slug names the figure in the drill-down's URL."""
    found = {}
    for category in (*CATEGORIES, SITUATION_3):
        kinds = Q(apartment__kind__in=category.kinds)
        groups = GROUPS if category is not SITUATION_3 else [g for g in GROUPS if g[0] != "children"]
        for slug, label, condition in groups:
            found[f"{category.slug}-{slug}"] = (f"{category.label}: {label}", kinds & condition)
    for low, high in AGE_GROUPS:
        found[f"{SITUATION_3.slug}-{age_slug(low, high)}"] = (
            f"{SITUATION_3.label}: {age_label(low, high)}", Q(apartment__kind__in=LONG_TERM) & aged(day, low, high)
        )
    return found


def base(day: date, unit=None):
    """The tenancies of `unit`'s long-term apartments held on `day`."""
    return Tenancy.objects.filter(held_on(day), unit_filter(unit, "apartment__unit"), apartment__kind__in=LONG_TERM)


def national_figures(day: date, unit=None) -> NationalFigures:
    """Every figure on `day`, one aggregate query (distinct clients)."""
    found = conditions(day)
    row = base(day, unit).aggregate(
        **{slug.replace("-", "_"): Count("client", distinct=True, filter=condition)
           for slug, (_label, condition) in found.items()}
    )

    def cell(slug, label):
        return Cell(slug=slug, label=label, value=row[slug.replace("-", "_")] or 0)

    survey = tuple(
        Row(category, tuple(cell(f"{category.slug}-{slug}", label) for slug, label, _c in GROUPS))
        for category in CATEGORIES
    )
    situation3 = Row(SITUATION_3, tuple(
        cell(f"{SITUATION_3.slug}-{slug}", label) for slug, label, _c in GROUPS if slug != "children"
    ))
    ages = tuple(cell(f"{SITUATION_3.slug}-{age_slug(low, high)}", age_label(low, high)) for low, high in AGE_GROUPS)
    return NationalFigures(day=day, survey=survey, situation3=situation3, situation3_ages=ages)


class UnknownFigure(KeyError):
    """No figure by that slug (the view answers 404)."""


def figure_label(slug: str, day: date) -> str:
    try:
        return conditions(day)[slug][0]
    except KeyError:
        raise UnknownFigure(slug) from None


def records(slug: str, day: date, unit=None):
    """The tenancies behind figure `slug` on `day`: the figure counts their
    distinct clients."""
    try:
        _label, condition = conditions(day)[slug]
    except KeyError:
        raise UnknownFigure(slug) from None
    return base(day, unit).filter(condition)


# --- The unit's own evictions beside the enforcement authority's figures -----------------------


def unit_evictions(years, unit) -> dict[int, dict[str, int]]:
    """Per year: the unit's tenancies ended with the end reason evicted in
    the year (reports.kpis.housing.ended_in), and the eviction notices
    received in the year that ended in eviction (KPI 2's own figure,
    reports.kpis.evictions "kpi2.evicted"), two aggregate queries whatever
    the number of years. Shown beside the enforcement authority's figures
    (views/enforcement.py)."""
    years = list(years)
    if not years:
        return {}
    measure = N["kpi2.evicted"]
    notices_row = notices(unit).aggregate(**{f"y{year}": measure.count(year) for year in years})
    tenancies_row = tenancies(unit).filter(end_reason=EndReason.EVICTED).aggregate(
        **{f"y{year}": Count("pk", filter=ended_in(year, EndReason.EVICTED)) for year in years}
    )
    return {
        year: {"tenancies": tenancies_row[f"y{year}"] or 0, "notices": notices_row[f"y{year}"] or 0}
        for year in years
    }
