"""The apartment register: registering and editing apartments, their status,
keys and complaints, and reading an apartment's timeline.

Writes run in one transaction each and write their access-log row (and for
edits the field history) there, so a write is never stored without its
trace. Vacant and occupied are normally set by the move services
(services/moves.py); the housing administrator sets repair, return and
leaving the programme here, under rules that keep the status true to the
tenancies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import QuerySet
    from django.db.models.sql.compiler import SQLCompiler

    from accounts.models import User
    from audit.context import AuditContext

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import reads
from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from core.dates import day_after, day_before
from core.formatting import decimal_text, kr
from core.rules import RuleError
from referrals import protection
from referrals.models import ProtectionLevel

from ..models import Apartment, ApartmentStatus, Tenancy
from ..models.apartments import days_between
from . import vacancies

UNIQUE_OBJECT_NUMBER = "tenancies_apartment_unique_object_number"

# Fields whose changes are kept in the history: everything the user edits.
TRACKED_FIELDS = [
    "object_number",
    "street_address",
    "postal_code",
    "area",
    "rooms",
    "size_m2",
    "floor",
    "has_lift",
    "accessibility_notes",
    "kind",
    "tenure",
    "landlord",
    "lease_start",
    "lease_end",
    "monthly_cost",
    "rent",
    "status",
    "notes",
]
MONEY_FIELDS = ("monthly_cost", "rent")
DECIMAL_FIELDS = ("rooms", "size_m2")


class ApartmentError(RuleError):
    """A rule refuses the write (core.rules). Nothing is written."""


def _date(day: date) -> str:
    return day.strftime("%Y-%m-%d")


def display_snapshot(
    apartment: Apartment, fields: Sequence[str] = TRACKED_FIELDS, protected: Sequence[str] = (),
) -> dict[str, tuple]:
    """snapshot() with money in kronor and sizes with a decimal comma, as
    the user typed and reads them."""
    values = snapshot(apartment, fields, protected)
    for name in MONEY_FIELDS:
        if name in values:
            label, _value, hidden = values[name]
            amount = getattr(apartment, name)
            values[name] = (label, "" if amount is None else kr(amount), hidden)
    for name in DECIMAL_FIELDS:
        if name in values:
            label, _value, hidden = values[name]
            values[name] = (label, decimal_text(getattr(apartment, name)), hidden)
    return values


# --- Object numbers ----------------------------------------------------------


def holder_of_object_number(unit_id: int, object_number: str, exclude_pk: int | None = None) -> Apartment | None:
    """The unit's apartment that has `object_number` (or None)."""
    holders = Apartment.objects.filter(unit_id=unit_id, object_number__iexact=object_number.strip())
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.order_by("pk").first()


def object_number_taken_message(holder: Apartment) -> str:
    return _("The object number %(number)s is already used by %(apartment)s.") % {
        "number": holder.object_number,
        "apartment": holder.street_address,
    }


def _check_lists(apartment: Apartment) -> None:
    """The area and landlord come from the apartment's unit's own lists
    (models.lists); the form offers only those, this catches any other
    caller."""
    for name in ("area", "landlord"):
        entry = getattr(apartment, name)
        if entry is not None and entry.unit_id != apartment.unit_id:
            raise ApartmentError(_("Choose from the unit's list."), code="other_unit", field=name)


def _check_object_number(apartment: Apartment) -> None:
    holder = holder_of_object_number(apartment.unit_id, apartment.object_number, exclude_pk=apartment.pk)
    if holder is not None:
        raise ApartmentError(object_number_taken_message(holder), code="duplicate", field="object_number")


def _save_apartment(apartment: Apartment) -> None:
    """Save, turning a unique-constraint race (two people registering the
    same object number at once) into the message the check gives."""
    try:
        with transaction.atomic():
            apartment.save()
    except IntegrityError as error:
        if UNIQUE_OBJECT_NUMBER in str(error) or "object_number" in str(error):
            holder = holder_of_object_number(apartment.unit_id, apartment.object_number, exclude_pk=apartment.pk)
            if holder is not None:
                raise ApartmentError(object_number_taken_message(holder), code="duplicate",
                                     field="object_number") from None
        raise


# --- Status --------------------------------------------------------------------

# The statuses the housing administrator sets by hand. Vacant and occupied
# follow the tenancies and are accepted by hand only when they agree with them.
MANUAL_STATUSES = (ApartmentStatus.REPAIR, ApartmentStatus.BEING_RETURNED, ApartmentStatus.LEFT_PROGRAMME)
# Not while somebody lives in the apartment or is about to move in.
NOT_WHILE_LET = (ApartmentStatus.REPAIR, ApartmentStatus.LEFT_PROGRAMME)


def status_refusal(status: str, *, held_today: Tenancy | None, current_or_coming: Tenancy | None) -> str | None:
    """Why the apartment may not get `status` by hand (a Swedish message),
    or None when it may.

    `held_today` is the tenancy running today, `current_or_coming` the first
    tenancy running today or starting later (both None when there is none).
    Every status stays offered in the form: a refused one gets this message
    beside the field, so the user learns why."""
    if status in NOT_WHILE_LET and current_or_coming is not None:
        until = _date(current_or_coming.end_date) if current_or_coming.end_date else _("until further notice")
        return _(
            "The apartment is let from %(start)s to %(end)s. It cannot be set to “%(status)s” while a "
            "tenancy is current or booked: register the move-out first."
        ) % {"start": _date(current_or_coming.start_date), "end": until,
             "status": ApartmentStatus(status).label.lower()}
    if status == ApartmentStatus.OCCUPIED and held_today is None:
        return _(
            "The apartment cannot be marked occupied: nobody lives in it today according to the tenancies. "
            "It becomes occupied when a move-in is registered."
        )
    if status == ApartmentStatus.VACANT and held_today is not None:
        return _(
            "The apartment cannot be marked vacant: a tenancy runs today (since %(start)s). "
            "It becomes vacant when the move-out is registered."
        ) % {"start": _date(held_today.start_date)}
    return None


def _tenancy_facts(apartment: Apartment, today: date) -> tuple[Tenancy | None, Tenancy | None]:
    """(held today, current or coming) for status_refusal, from the database."""
    tenancies = Tenancy.objects.filter(apartment_id=apartment.pk)
    held_today = tenancies.held_on(today).first()
    coming = tenancies.overlapping(today, None).order_by("start_date").first()
    return held_today, coming


def _check_status(apartment: Apartment, status: str, today: date) -> None:
    if apartment.pk is None:
        held_today = coming = None
    else:
        held_today, coming = _tenancy_facts(apartment, today)
    refusal = status_refusal(status, held_today=held_today, current_or_coming=coming)
    if refusal:
        raise ApartmentError(refusal, code="status", field="status")


def _lock(apartment: Apartment) -> Apartment:
    # The move services lock the same row (services/tenancies._lock_apartment),
    # so a move-in and a status change cannot pass each other's checks.
    return Apartment.objects.select_for_update().get(pk=apartment.pk)


@transaction.atomic
def set_status(
    ctx: AuditContext,
    apartment: Apartment,
    status: str,
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Apartment:
    """Set the apartment's status by hand (repair, being returned, left the
    programme, back to vacant), refusing what contradicts the tenancies."""
    today = today or timezone.localdate()
    stored = _lock(apartment)
    if status not in ApartmentStatus.values:
        raise ApartmentError(_("Choose a status."), code="status", field="status")
    if stored.status == status:
        return stored
    _check_status(stored, status, today)
    before = display_snapshot(stored, ["status"])
    old_status, stored.status = stored.status, status
    save_tracked(ctx, stored, ["status"], before=before, update_fields=["status"], note="status",
                 expected_version=stored.version if expected_version is None else expected_version)
    vacancies.after_status_change(ctx, stored, old_status, status, today)
    apartment.status, apartment.version = stored.status, stored.version
    return stored


# --- Register and edit -------------------------------------------------------------


@transaction.atomic
def create_apartment(ctx: AuditContext, apartment: Apartment, *, today: date | None = None) -> Apartment:
    """Register a new apartment in the acting user's unit. It starts with
    the chosen status (vacant unless the administrator says otherwise;
    never occupied, since nobody has moved in)."""
    if not ctx.user.unit_id:
        raise PermissionDenied("A user without a unit cannot register apartments.")
    apartment.unit_id = ctx.user.unit_id
    apartment.status = apartment.status or ApartmentStatus.VACANT
    _check_lists(apartment)
    _check_object_number(apartment)
    _check_status(apartment, apartment.status, today or timezone.localdate())
    _save_apartment(apartment)
    vacancies.after_create(ctx, apartment)
    log_access(ctx, AccessAction.CREATE, apartment)
    return apartment


@transaction.atomic
def update_apartment(
    ctx: AuditContext, apartment: Apartment, *, expected_version: int, today: date | None = None,
) -> Apartment:
    """Save the edited `apartment`; raises ConcurrentEditError when someone
    else (or a move-in or move-out) saved it after `expected_version` was
    read, and ApartmentError when a rule refuses the change."""
    old_status = []

    def check(stored: Apartment) -> None:
        apartment.unit_id = stored.unit_id
        old_status.append(stored.status)
        _check_lists(apartment)
        _check_object_number(apartment)
        if apartment.status != stored.status:
            _check_status(apartment, apartment.status, today or timezone.localdate())

    saved = save_tracked(ctx, apartment, TRACKED_FIELDS, expected_version=expected_version, check=check,
                         save=lambda: _save_apartment(apartment), display=display_snapshot).record
    vacancies.after_status_change(ctx, saved, old_status[0], saved.status, today or timezone.localdate())
    return saved


# --- Reading: the timeline -------------------------------------------------------------


@dataclass
class Period:
    """One row of an apartment's timeline: a tenancy or a vacancy.

    Both ends are inclusive; `end` is None for a tenancy that still runs.
    `days` counts up to today for a period that has not ended."""

    start: date
    end: date | None
    days: int | None
    tenancy: Tenancy | None = None

    @property
    def is_vacancy(self) -> bool:
        return self.tenancy is None


def timeline_start(apartment: Apartment) -> date:
    """Since when the apartment has been the programme's: the first-hand
    lease's start, or its registration when no start is known."""
    return apartment.lease_start or timezone.localdate(apartment.created_at)


def build_timeline(apartment: Apartment, tenancies: Sequence[Tenancy], today: date) -> list[Period]:
    """Every tenancy and every vacancy between them, oldest first, from
    already-read `tenancies` (no queries).

    A vacancy runs from the day after a move-out (or from the lease start
    when never let) to the day before the next move-in; the last one runs up
    to today, or to the end of the first-hand lease if that came first. An
    apartment that has left the programme has no vacancy after its last
    tenancy (it was no longer the programme's to let)."""
    periods = []
    free_from = timeline_start(apartment)
    for tenancy in sorted(tenancies, key=lambda t: t.start_date):
        _add_vacancy(periods, free_from, day_before(tenancy.start_date), today)
        if tenancy.start_date > today:
            days = None
        else:
            days = days_between(tenancy.start_date, min(tenancy.end_date or today, today))
        periods.append(Period(tenancy.start_date, tenancy.end_date, days, tenancy))
        free_from = None if tenancy.end_date is None else max(free_from, day_after(tenancy.end_date))
        if free_from is None:
            break
    if free_from is not None and apartment.status != ApartmentStatus.LEFT_PROGRAMME:
        last_day = min(today, apartment.lease_end) if apartment.lease_end else today
        _add_vacancy(periods, free_from, last_day, today)
    return periods


def _add_vacancy(periods: list[Period], start: date, end: date | None, today: date) -> None:
    end = min(end, today)
    if start <= end:
        periods.append(Period(start, end, days_between(start, end)))


def current_tenancy(tenancies: Iterable[Tenancy], today: date) -> Tenancy | None:
    return next((t for t in tenancies if t.start_date <= today and (t.end_date is None or t.end_date >= today)), None)


def timeline_totals(periods: Iterable[Period]) -> dict[str, int]:
    """Days let and days vacant over the whole timeline."""
    let = sum(p.days or 0 for p in periods if not p.is_vacancy)
    vacant = sum(p.days or 0 for p in periods if p.is_vacancy)
    return {"days_let": let, "days_vacant": vacant,
            "tenancies": sum(1 for p in periods if not p.is_vacancy)}


# --- Reading: lists ------------------------------------------------------------------


class DaysSince(Func):
    """Whole days from the date expression `start` to the date `day`
    (day − start), computed by the database so that lists can sort and
    paginate on it. NULL when `start` is NULL."""

    output_field = IntegerField()

    def __init__(self, start: Any, day: date) -> None:
        super().__init__(start, Value(day, output_field=DateField()))

    def _compiled(self, compiler: SQLCompiler) -> tuple[str, str, tuple]:
        start, day = self.get_source_expressions()
        start_sql, start_params = compiler.compile(start)
        day_sql, day_params = compiler.compile(day)
        return start_sql, day_sql, (*day_params, *start_params)

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, tuple]:
        # PostgreSQL: date − date is an integer number of days.
        start_sql, day_sql, params = self._compiled(compiler)
        return f"(CAST({day_sql} AS date) - CAST({start_sql} AS date))", params

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list]:
        start_sql, day_sql, params = self._compiled(compiler)
        return f"CAST(julianday({day_sql}) - julianday({start_sql}) AS INTEGER)", params


def days_vacant_expression(today: date) -> Case:
    """Days vacant of a vacant apartment, in SQL: since the day after the
    last tenancy's move-out (today − move-out), or, never let, since the
    lease start or the registration day, both counted (today − start + 1).
    NULL for apartments that are not vacant."""
    last_move_out = Subquery(
        Tenancy.objects.filter(apartment=OuterRef("pk"), end_date__isnull=False)
        .order_by("-end_date")
        .values("end_date")[:1],
        output_field=DateField(),
    )
    never_let_since = Coalesce("lease_start", TruncDate("created_at"), output_field=DateField())
    days = Coalesce(DaysSince(last_move_out, today), DaysSince(never_let_since, today) + 1)
    return Case(
        When(status=ApartmentStatus.VACANT, then=Greatest(days, Value(0))),
        default=None,
        output_field=IntegerField(),
    )


def with_list_facts(apartments: QuerySet[Apartment], user: User, today: date) -> QuerySet[Apartment]:
    """The list's columns in the one query that fetches the page: the
    current tenant's name and protection (for users who may see tenancies;
    names are not protected data, addresses are and are never read here)
    and the days vacant."""
    days_vacant = days_vacant_expression(today)
    if not protection.sees_every_tenant(user):
        # A protected tenant's move-out date would connect the apartment with
        # the client's own tab, which shows the date (referrals.protection,
        # mask_timeline on the apartment page): the days vacant that follow
        # it are NULL for users without the permission, so that the row,
        # the vacancy cost, the total and the longest-vacant order all leave
        # it out.
        last_tenant_level = Subquery(
            Tenancy.objects.filter(apartment=OuterRef("pk"), end_date__isnull=False)
            .order_by("-end_date").values("client__protection_level")[:1],
            output_field=CharField(),
        )
        apartments = apartments.annotate(last_tenant_level=last_tenant_level)
        days_vacant = Case(
            When(Q(last_tenant_level__isnull=False) & ~Q(last_tenant_level=ProtectionLevel.NONE), then=Value(None)),
            default=days_vacant, output_field=IntegerField(),
        )
    apartments = apartments.annotate(days_vacant=days_vacant)
    if user.has_perm("tenancies.view_tenancy"):
        current = Tenancy.objects.visible_to(user).filter(apartment=OuterRef("pk")).held_on(today)
        apartments = apartments.annotate(
            tenant_name=Subquery(
                current.order_by("-start_date").annotate(
                    name=Concat("client__first_name", Value(" "), "client__last_name", output_field=CharField())
                ).values("name")[:1]
            ),
            tenant_protected=Exists(current.exclude(client__protection_level=ProtectionLevel.NONE)),
            # Who the name is, for the access log (audit.reads via
            # note_list_tenants): a name from a subquery is no Client instance.
            tenant_client_id=Subquery(current.order_by("-start_date").values("client_id")[:1]),
        )
    return apartments


def note_list_tenants(apartments: Iterable[Apartment]) -> None:
    """Report the tenants named on a page of the apartment list to the read
    recorder, which logs them at the end of the request."""
    for apartment in apartments:
        if getattr(apartment, "tenant_name", None):
            reads.saw_snapshot(apartment.tenant_client_id)
