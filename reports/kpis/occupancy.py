"""Occupancy of the stock (docs/kpis.md "Occupancy of the stock"): per month
and for the year, the days the unit's apartments were in the programme,
occupied and empty, the occupancy rate, the turnover, the length of the
vacancies and the apartments empty for over 60 days.

    section(year, unit)        -> OccupancySection (the dashboard's and the PDF's)
    per_apartment(year, unit)  -> [ApartmentOccupancy] (the page reports:occupancy)

Definitions (all dates inclusive unless said otherwise):

- The period of Y runs from 1 January to its reference day: 31 December,
  or today while Y is running (the figures are then preliminary).
- The stock: the apartments of the unit, less those that left the programme
  without a recorded lease end (additional.in_programme's rule: those never
  count). An apartment is in the programme on the days from its lease start
  (none: since before the register) to its lease end (none: still leased).
- Occupied: a day covered by a tenancy, move-in day to move-out day (no
  move-out day: still living there), within the apartment's programme days.
  A day two tenancies share (one moving out, the next moving in the same
  day) counts once.
- Empty days = days in the programme − occupied days; occupancy rate =
  occupied / days in the programme.
- Turnover = tenancies started in the period (every move-in, internal moves
  too) per 100 apartments in the programme on average, where the average is
  the days in the programme ÷ the days of the period.
- Vacancies are tenancies.Vacancy, the half-open range [vacant_from,
  ended_on): an ended vacancy lasted ended_on − vacant_from days; it is one
  of Y's when ended_on falls in the period. One still open on the reference
  day R (vacant_from ≤ R, no ended_on or ended_on after R) has been empty
  R − vacant_from + 1 days; over 60 of them makes the apartment one "empty
  for over 60 days" (a record list, RECORD_LISTS "occupancy.empty_over_60").

Three queries for the section, whatever the number of apartments: one
aggregate over the apartments (days in the programme per month of Y and for
Y−1, the apartments empty over 60 days), one over the tenancies (occupied
days per month and for Y−1, the move-ins) and one over the vacancies. The
per-apartment page: three (the apartments with their days per month, the
tenancies with their occupied days per month, and the vacancies).
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    RowRange,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext_lazy as _

from referrals.models import ProtectionLevel
from tenancies.models import Apartment, ApartmentStatus, Tenancy, Vacancy, VacancyReason

from .common import DaysBetween, Measure, Year, aggregate_measures, day_value, one_decimal, register, share, unit_filter
from .result import Figure, FigureSection

MONTHS = range(1, 13)
# Empty for more than this many days on the reference day: on the list.
LONG_EMPTY_DAYS = 60
# Stand-ins for "no date" in SQL comparisons (both within DateField's range).
BEFORE_EVERYTHING = date(1900, 1, 1)
AFTER_EVERYTHING = date(9999, 12, 31)


def reference_day(year: int, today: date | None = None) -> date:
    """The last day counted of Y: 31 December, or today in the running year."""
    today = today or timezone.localdate()
    return min(Year(year).last, today)


def month_range(year: int, month: int, today: date | None = None) -> tuple[date, date] | None:
    """(first, last) counted day of a month of Y, or None for a month wholly
    after the reference day."""
    first = date(year, month, 1)
    last = min(date(year, month, monthrange(year, month)[1]), reference_day(year, today))
    return (first, last) if last >= first else None


def year_range(year: int, today: date | None = None) -> tuple[date, date] | None:
    first, last = Year(year).first, reference_day(year, today)
    return (first, last) if last >= first else None


# --- The stock ---------------------------------------------------------------------------------


def _never_in_programme(prefix=""):
    """Left the programme without a recorded lease end (in_programme's rule)."""
    return Q(**{f"{prefix}lease_end__isnull": True, f"{prefix}status": ApartmentStatus.LEFT_PROGRAMME})


def stock(unit=None):
    """The unit's apartments that can be in the programme at all."""
    return Apartment.objects.filter(unit_filter(unit, "unit")).exclude(_never_in_programme())


def in_programme_on(day, prefix=""):
    """The apartment is in the programme on `day`."""
    return (Q(**{f"{prefix}lease_start__isnull": True}) | Q(**{f"{prefix}lease_start__lte": day})) & (
        Q(**{f"{prefix}lease_end__isnull": True}) | Q(**{f"{prefix}lease_end__gte": day})
    ) & ~_never_in_programme(prefix)


def _meets(first, last, prefix=""):
    """The apartment has a programme day in [first, last] (a sargable scope)."""
    return (Q(**{f"{prefix}lease_start__isnull": True}) | Q(**{f"{prefix}lease_start__lte": last})) & (
        Q(**{f"{prefix}lease_end__isnull": True}) | Q(**{f"{prefix}lease_end__gte": first})
    )


# --- Days in SQL -------------------------------------------------------------------------------


def _days(start, end):
    """Days from `start` to `end`, both inclusive; 0 when end < start."""
    return Greatest(DaysBetween(end, start) + Value(1), Value(0), output_field=IntegerField())


def programme_days(first: date, last: date, prefix=""):
    """An apartment's days in the programme within [first, last]."""
    start = Greatest(Coalesce(f"{prefix}lease_start", day_value(first)), day_value(first))
    end = Least(Coalesce(f"{prefix}lease_end", day_value(last)), day_value(last))
    return _days(start, end)


def _earlier_end():
    """The latest move-out day of the apartment's earlier tenancies (by
    move-in day, then id; still running: far in the future), or a day before
    everything: what of a tenancy's days an earlier one already covered."""
    earlier = (
        Tenancy.objects.filter(apartment=OuterRef("apartment"))
        .filter(Q(start_date__lt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("apartment")
        .annotate(latest=Max(Coalesce("end_date", day_value(AFTER_EVERYTHING))))
        .values("latest")
    )
    return Coalesce(Subquery(earlier), day_value(BEFORE_EVERYTHING))


# The window column of _occupied_days: _earlier_end computed once per row.
EARLIER_END = "occupancy_earlier_end"


def _earlier_end_window():
    """_earlier_end as a window over the rows read: the latest move-out day
    of the rows before this one in the apartment's (move-in day, id) order.
    The same value as the subquery for the tenancies _occupied_days reads
    (those meeting [1 January Y−1, reference day], every one of an
    apartment's kept together): an earlier tenancy left out ended before
    1 January Y−1, so it covers none of the days counted, and its end is
    never the latest once another earlier tenancy is read. One sort of the
    rows instead of a lookup of the apartment's tenancies per row and
    month (thirteen subqueries per row, and over PostgreSQL's JIT threshold:
    4–10 s nationally in the running year, issue 16)."""
    return Window(
        Max(Coalesce("end_date", day_value(AFTER_EVERYTHING))),
        partition_by=[F("apartment")],
        order_by=[F("start_date").asc(), F("pk").asc()],
        frame=RowRange(start=None, end=-1),
    )


def occupied_days(first: date, last: date, earlier_end=None):
    """A tenancy's occupied days within [first, last] and its apartment's
    programme days, less the days an earlier tenancy of the apartment
    already covers (a move-out and a move-in on the same day).
    `earlier_end`: the column holding _earlier_end's value (the window
    column of _occupied_days), None for the subquery."""
    earlier = _earlier_end() if earlier_end is None else Coalesce(earlier_end, day_value(BEFORE_EVERYTHING))
    start = Greatest(
        F("start_date"), Coalesce("apartment__lease_start", day_value(first)), day_value(first),
    )
    end = Least(
        Coalesce("end_date", day_value(last)), Coalesce("apartment__lease_end", day_value(last)), day_value(last),
    )
    covered = Least(end, earlier)
    return _days(start, end) - _days(start, covered)


def _tenancies(unit=None):
    return Tenancy.objects.filter(unit_filter(unit, "apartment__unit")).exclude(_never_in_programme("apartment__"))


def _tenancies_meeting(first, last):
    return Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))


# --- Vacancies -------------------------------------------------------------------------------


def open_on(day):
    """Vacancies open on `day` (the half-open range [vacant_from, ended_on))."""
    return Q(vacant_from__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def long_empty_apartments(year: int):
    """Apartments in the programme on Y's reference day with a vacancy open
    that day for over LONG_EMPTY_DAYS days."""
    day = reference_day(year)
    long_open = Vacancy.objects.filter(open_on(day), vacant_from__lte=day - timedelta(days=LONG_EMPTY_DAYS))
    return Q(pk__in=long_open.values("apartment")) & in_programme_on(day)


EMPTY_OVER_60 = register(
    Measure("occupancy.empty_over_60", _("Apartments empty for over 60 days"), "apartment",
            stock, long_empty_apartments),
)["occupancy.empty_over_60"]


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    """The unit's days of one month (or of the year: month None)."""

    month: int | None
    programme_days: int
    occupied_days: int

    @property
    def empty_days(self) -> int:
        return self.programme_days - self.occupied_days

    @property
    def rate(self) -> Decimal | None:
        return share(self.occupied_days, self.programme_days)

    @property
    def name(self) -> str:
        return str(MONTH_NAMES[self.month]) if self.month else ""


@dataclass(frozen=True)
class OccupancySection(FigureSection):
    """The dashboard's "Beläggning": the figures for Y and Y−1 (a
    FigureSection among the additional figures, so that a closed year's
    snapshot keeps it) and the months of Y."""

    months: tuple[MonthRow, ...] = field(default_factory=tuple)


def _month_row(data) -> MonthRow:
    return data if isinstance(data, MonthRow) else MonthRow(
        month=data["month"], programme_days=data["programme_days"], occupied_days=data["occupied_days"])


def section_from(key, title, figures, months) -> OccupancySection:
    """Read back from plain data (reports.snapshots)."""
    return OccupancySection(key=key, title=title, figures=figures, months=tuple(_month_row(m) for m in months))


def _month_columns(year, expression):
    columns = {}
    for month in MONTHS:
        bounds = month_range(year, month)
        if bounds is not None:
            columns[f"m{month}"] = Sum(expression(*bounds))
    return columns


def _year_column(year, expression, name):
    bounds = year_range(year)
    return {name: Sum(expression(*bounds))} if bounds is not None else {}


def _stock_days(year, unit):
    """One query: the stock's programme days per month of Y and for Y−1, and
    the apartments empty over 60 days (Y and Y−1)."""
    columns = {**_month_columns(year, programme_days), **_year_column(year - 1, programme_days, "previous")}
    first = Year(year - 1).first
    counts, extra = aggregate_measures(
        stock(unit), [EMPTY_OVER_60], year, scope=_meets(first, reference_day(year)),
        cache_key=("occupancy.stock", None if unit is None else unit.pk), **columns,
    )
    return counts, {name: value or 0 for name, value in extra.items()}


def _occupied_days(year, unit):
    """One query: occupied days per month of Y and for Y−1, and the move-ins."""

    def days(first, last):
        return occupied_days(first, last, F(EARLIER_END))

    columns = {**_month_columns(year, days), **_year_column(year - 1, days, "previous")}
    for y in (year, year - 1):
        bounds = year_range(y)
        if bounds is not None:
            columns[f"moves_{y}"] = Count("pk", filter=Q(start_date__gte=bounds[0], start_date__lte=bounds[1]))
    row = (
        _tenancies(unit).filter(_tenancies_meeting(Year(year - 1).first, reference_day(year)))
        .annotate(**{EARLIER_END: _earlier_end_window()})
        .aggregate(**columns)
    )
    return {name: value or 0 for name, value in row.items()}


def _vacancy_figures(year, unit):
    """One query over the vacancies: ended in Y (count, average length) and
    open on the reference day (apartments, average days so far), Y and Y−1."""
    columns = {}
    for y in (year, year - 1):
        day = reference_day(y)
        ended = Q(ended_on__gte=Year(y).first, ended_on__lte=day)
        still_open = open_on(day) & in_programme_on(day, "apartment__")
        columns[f"ended_{y}"] = Count("pk", filter=ended)
        columns[f"ended_days_{y}"] = Avg(DaysBetween(F("ended_on"), F("vacant_from")), filter=ended)
        columns[f"open_{y}"] = Count("apartment", distinct=True, filter=still_open)
        columns[f"open_days_{y}"] = Avg(DaysBetween(day_value(day), F("vacant_from")) + Value(1), filter=still_open)
    base = Vacancy.objects.filter(unit_filter(unit, "apartment__unit")).exclude(_never_in_programme("apartment__"))
    return base.filter(vacant_from__lte=reference_day(year)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=Year(year - 1).first)
    ).aggregate(**columns)


def _days_in(year):
    bounds = year_range(year)
    return 0 if bounds is None else (bounds[1] - bounds[0]).days + 1


def _average(value):
    # float(): the database may return the average as a decimal.
    return None if value is None else one_decimal(float(value))


def section(year: int, unit=None) -> OccupancySection:
    counts, stock_days = _stock_days(year, unit)
    occupied = _occupied_days(year, unit)
    vacancies = _vacancy_figures(year, unit)
    months = tuple(
        MonthRow(month=month, programme_days=stock_days.get(f"m{month}", 0), occupied_days=occupied.get(f"m{month}", 0))
        for month in MONTHS
    )
    now = MonthRow(None, sum(m.programme_days for m in months), sum(m.occupied_days for m in months))
    before = MonthRow(None, stock_days.get("previous", 0), occupied.get("previous", 0))
    moves = {y: occupied.get(f"moves_{y}", 0) for y in (year, year - 1)}

    def average_apartments(days, y):
        return one_decimal(days / _days_in(y)) if _days_in(y) else None

    def turnover(days, y):
        # Move-ins per 100 apartments on average: moves ÷ (days ÷ days of the period).
        return share(moves[y] * _days_in(y), days)

    def figure(key, label, value, previous, kind="count", drilldown=None):
        return Figure(key=f"occupancy.{key}", label=label, value=value, previous=previous, kind=kind,
                      drilldown=drilldown)

    figures = (
        figure("apartments", _("Apartments in the programme, on average"),
               average_apartments(now.programme_days, year), average_apartments(before.programme_days, year - 1)),
        figure("programme_days", _("Days in the programme"), now.programme_days, before.programme_days),
        figure("occupied_days", _("Occupied days"), now.occupied_days, before.occupied_days),
        figure("empty_days", _("Empty days"), now.empty_days, before.empty_days),
        figure("rate", _("Occupancy rate"), now.rate, before.rate, "percent"),
        figure("move_ins", _("Move-ins"), moves[year], moves[year - 1]),
        figure("turnover", _("Turnover (move-ins per 100 apartments)"),
               turnover(now.programme_days, year), turnover(before.programme_days, year - 1), "percent"),
        figure("vacancies_ended", _("Vacancies ended"), vacancies[f"ended_{year}"], vacancies[f"ended_{year - 1}"]),
        figure("vacancy_length", _("Average length of the vacancies ended"),
               _average(vacancies[f"ended_days_{year}"]), _average(vacancies[f"ended_days_{year - 1}"]), "days"),
        figure("empty_now", _("Apartments empty on the last day counted"),
               vacancies[f"open_{year}"], vacancies[f"open_{year - 1}"]),
        figure("empty_length", _("Days empty so far, on average (apartments empty on the last day counted)"),
               _average(vacancies[f"open_days_{year}"]), _average(vacancies[f"open_days_{year - 1}"]), "days"),
        figure("empty_over_60", EMPTY_OVER_60.title, counts[(EMPTY_OVER_60.key, year)],
               counts[(EMPTY_OVER_60.key, year - 1)], drilldown=EMPTY_OVER_60.key),
    )
    return OccupancySection(key="occupancy", title=_("Occupancy"), figures=figures, months=months)


# --- Per apartment (the page reports:occupancy) ---------------------------------------------------


@dataclass(frozen=True)
class ApartmentOccupancy:
    """One apartment's figures for Y, defined as the unit's (docs/kpis.md,
    "Occupancy of the stock"): summed over the apartments they give the
    section's figures for Y (the months, days, move-ins, vacancies ended,
    their total length and the apartments empty on the reference day)."""

    apartment: Apartment
    # Days in the programme and occupied per month of Y (January first; 0
    # for a month after the reference day).
    months: tuple[MonthRow, ...]
    # Days of the period (for the turnover: move-ins per 100 apartments).
    period_days: int
    move_ins: int
    vacancies_ended: int
    # The total length of the vacancies ended in Y (their average is this
    # divided by their number, as the unit's).
    vacancy_days: int
    # Days empty so far on the reference day, when a vacancy is open then
    # (None: not empty on the reference day).
    empty_now_days: int | None
    # A tenant with protected personal data lived there during the period,
    # or moved out just before a vacancy counted here: the dates behind the
    # figures are that tenant's move dates (referrals.protection), so the
    # page shows only the object number and the days in the programme to a
    # user without the permission.
    protected_tenant: bool

    @property
    def year(self) -> MonthRow:
        return MonthRow(None, sum(m.programme_days for m in self.months), sum(m.occupied_days for m in self.months))

    @property
    def programme_days(self) -> int:
        return self.year.programme_days

    @property
    def occupied_days(self) -> int:
        return self.year.occupied_days

    @property
    def empty_days(self) -> int:
        return self.year.empty_days

    @property
    def rate(self) -> Decimal | None:
        return self.year.rate

    @property
    def turnover(self) -> Decimal | None:
        # As the unit's: move-ins × days of the period ÷ days in the programme.
        return share(self.move_ins * self.period_days, self.programme_days)

    @property
    def vacancy_length(self) -> Decimal | None:
        return one_decimal(self.vacancy_days / self.vacancies_ended) if self.vacancies_ended else None

    @property
    def empty_over_60(self) -> bool:
        return self.empty_now_days is not None and self.empty_now_days > LONG_EMPTY_DAYS


def _apartment_vacancies(year, unit):
    """One query: the vacancies counted for Y per apartment (ended in the
    period, or open on the reference day while the apartment is in the
    programme: the unit's _vacancy_figures), and whether one follows a
    protected tenant's move-out (its first day is the day after it; the
    vacancy list's rule, tenancies.views.vacancies.with_list_facts)."""
    first, day = Year(year).first, reference_day(year)
    ended = Q(ended_on__gte=first, ended_on__lte=day)
    still_open = open_on(day) & in_programme_on(day, "apartment__")
    previous = Tenancy.objects.filter(apartment=OuterRef("apartment_id"), end_date__lt=OuterRef("vacant_from"))
    previous_level = Subquery(previous.order_by("-end_date", "-pk").values("client__protection_level")[:1],
                              output_field=CharField())
    rows = (
        Vacancy.objects.filter(unit_filter(unit, "apartment__unit")).exclude(_never_in_programme("apartment__"))
        .filter(ended | still_open)
        .annotate(previous_level=previous_level)
        .values_list("apartment_id", "vacant_from", "ended_on", "reason", "previous_level")
    )
    per_apartment = {}
    for apartment_id, vacant_from, ended_on, reason, previous_level in rows:
        facts = per_apartment.setdefault(apartment_id, {"ended": 0, "days": 0, "now": None, "protected": False})
        if ended_on is not None and first <= ended_on <= day:
            facts["ended"] += 1
            facts["days"] += (ended_on - vacant_from).days
        if vacant_from <= day and (ended_on is None or ended_on > day):
            facts["now"] = max(facts["now"] or 0, (day - vacant_from).days + 1)
        facts["protected"] |= reason == VacancyReason.MOVE_OUT and previous_level not in (None, ProtectionLevel.NONE)
    return per_apartment


def per_apartment(year: int, unit=None) -> list[ApartmentOccupancy]:
    """The stock's apartments with a day in the programme in Y's period, by
    object number, with their months, move-ins and vacancies: three queries
    whatever their number (the apartments with their days per month, the
    tenancies with their occupied days per month, the vacancies). The
    figures add up to the section's for Y."""
    bounds = year_range(year)
    if bounds is None:
        return []
    first, last = bounds
    months = [(month, month_range(year, month)) for month in MONTHS]
    protected = Tenancy.objects.filter(apartment=OuterRef("pk")).filter(
        _tenancies_meeting(first, last)
    ).exclude(client__protection_level=ProtectionLevel.NONE)
    apartments = list(
        stock(unit).filter(_meets(first, last))
        .annotate(occupancy_days=programme_days(first, last), occupancy_protected=Exists(protected),
                  **{f"occupancy_m{month}": programme_days(*bounds) for month, bounds in months if bounds})
        .filter(occupancy_days__gt=0)
        .order_by("object_number", "pk")
    )
    # The tenancies meeting the period, each with its occupied days per
    # month; the days an earlier tenancy covers come from the window column
    # (_earlier_end_window: every tenancy of an apartment meeting the period
    # is read, and one left out ended before it, so covers none of its days).
    columns = {f"m{month}": occupied_days(*bounds, F(EARLIER_END)) for month, bounds in months if bounds}
    tenancies = (
        _tenancies(unit).filter(_tenancies_meeting(first, last))
        .annotate(**{EARLIER_END: _earlier_end_window()})
        .annotate(**columns)
        .values("apartment_id", "start_date", *columns)
    )
    occupied, move_ins = {}, {}
    for row in tenancies:
        days = occupied.setdefault(row["apartment_id"], dict.fromkeys(columns, 0))
        for name in columns:
            days[name] += row[name] or 0
        if first <= row["start_date"] <= last:
            move_ins[row["apartment_id"]] = move_ins.get(row["apartment_id"], 0) + 1
    vacancies = _apartment_vacancies(year, unit)
    period = _days_in(year)
    result = []
    for apartment in apartments:
        days = occupied.get(apartment.pk, {})
        facts = vacancies.get(apartment.pk, {"ended": 0, "days": 0, "now": None, "protected": False})
        result.append(ApartmentOccupancy(
            apartment=apartment,
            months=tuple(
                MonthRow(month, getattr(apartment, f"occupancy_m{month}", 0), days.get(f"m{month}", 0))
                for month in MONTHS
            ),
            period_days=period,
            move_ins=move_ins.get(apartment.pk, 0),
            vacancies_ended=facts["ended"],
            vacancy_days=facts["days"],
            empty_now_days=facts["now"],
            protected_tenant=apartment.occupancy_protected or facts["protected"],
        ))
    return result
