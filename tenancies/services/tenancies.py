"""Tenancies: the rules a tenancy keeps (two tenancies of one apartment never
overlap, one active tenancy per client, the decision a move-in executes),
the locks the moves take, and the list of possible first-hand takeovers.
The moves themselves are in services/moves.py; what hangs on a running
tenancy (terms, home insurance, income sources) in services/terms.py.

Locking: every function that starts or ends a tenancy first locks the
apartment rows it touches (select_for_update, in primary-key order), then the
tenancy or decision rows. One order everywhere means two moves touching the
same apartments wait for each other instead of deadlocking, and the second of
two simultaneous move-ins into one apartment sees the first one's tenancy
when it runs its checks. On PostgreSQL the exclusion constraint
`tenancies_tenancy_no_overlap` (migration 0002) is the last guard; its
violation is turned into the same message as the check in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from django.db.models import QuerySet

    from referrals.models import Client

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.calendar import years_before
from core.rules import RuleError
from referrals.models import Decision, DecisionKind

from ..models import Apartment, ApartmentKind, ApartmentStatus, EndReason, Tenancy

OVERLAP_CONSTRAINT = "tenancies_tenancy_no_overlap"
ONE_ACTIVE_CONSTRAINT = "tenancies_tenancy_one_active_per_client"

# A tenant may take over the first-hand contract after about three years.
TAKEOVER_YEARS = 3



class TenancyError(RuleError):
    """A rule refuses the move (core.rules). Nothing has been written when
    it is raised."""


def _date(day: date) -> str:
    return day.strftime("%Y-%m-%d")


def _period(start: date, end: date | None) -> str:
    if end is None:
        return _("from %(start)s until further notice") % {"start": _date(start)}
    return _("%(start)s to %(end)s") % {"start": _date(start), "end": _date(end)}


# --- Locks and the rules shared by the moves -----------------------------------


def _lock_apartments(*apartments: Apartment) -> list[Apartment]:
    """The apartments' current rows, locked until commit (PostgreSQL; SQLite
    serialises writers anyway), always in primary-key order."""
    pks = sorted({apartment.pk for apartment in apartments})
    locked = {row.pk: row for row in Apartment.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[apartment.pk] for apartment in apartments]


def _lock_apartment(apartment: Apartment) -> Apartment:
    return _lock_apartments(apartment)[0]


def first_overlap(
    apartment: Apartment, start: date, end: date | None = None, exclude: Tenancy | None = None,
) -> Tenancy | None:
    """The earliest tenancy of `apartment` that meets [start, end] (None: open)."""
    clash = Tenancy.objects.filter(apartment=apartment).overlapping(start, end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    return clash.order_by("start_date").first()


def _overlap_error(clash: Tenancy) -> TenancyError:
    until = _date(clash.end_date) if clash.end_date else _("until further notice")
    return TenancyError(
        _("The apartment is let from %(start)s to %(end)s; tenancies of one apartment cannot overlap.")
        % {"start": _date(clash.start_date), "end": until},
        code="overlap",
        field="start_date",
    )


def check_no_overlap(
    apartment: Apartment, start: date, end: date | None = None, exclude: Tenancy | None = None,
) -> None:
    """Two tenancies of one apartment never overlap (both ends inclusive)."""
    clash = first_overlap(apartment, start, end, exclude)
    if clash:
        raise _overlap_error(clash)


def _active_tenancy_error() -> TenancyError:
    return TenancyError(
        _("The client already has an active tenancy. Move the client out first, or use an internal move."),
        code="active_tenancy",
        field="client",
    )


def check_client_free(client: Client, start: date, exclude: Tenancy | None = None) -> None:
    """A client lives in one programme apartment at a time: no active tenancy,
    and no ended one whose move-out day is on or after `start` (a move-out
    registered ahead of time)."""
    clash = Tenancy.objects.filter(client=client).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    clash = clash.order_by("-start_date").first()
    if clash is None:
        return
    if clash.end_date is None:
        raise _active_tenancy_error()
    raise TenancyError(
        _("The client lives in another apartment of the programme until %(date)s; the move-in must be after that.")
        % {"date": _date(clash.end_date)},
        code="client_overlap",
        field="start_date",
    )


def preceding_tenancy(client: Client, start: date) -> Tenancy | None:
    """The client's latest tenancy ended before `start` (or None)."""
    return (
        Tenancy.objects.filter(client=client, end_date__lt=start)
        .order_by("-end_date", "-start_date")
        .first()
    )


def derive_programme_fields(tenancy: Tenancy) -> Tenancy:
    """Set is_internal_move and continuous_since from the client's history.

    An internal move follows a tenancy of the same client ended "moved within
    the programme" (also when that move-out was registered on its own, before
    this move-in); it continues that tenancy's time in the programme (the
    three-year takeover rule counts internal moves as continuous).
    """
    previous = preceding_tenancy(tenancy.client, tenancy.start_date)
    if previous is not None and previous.end_reason == EndReason.MOVED_WITHIN_PROGRAMME:
        tenancy.is_internal_move = True
        tenancy.continuous_since = previous.continuous_since
    else:
        tenancy.is_internal_move = False
        tenancy.continuous_since = tenancy.start_date
    return tenancy


def _constraint_of(error: IntegrityError) -> str:
    """The name of the constraint an IntegrityError violated, as far as the
    database says: psycopg gives it; SQLite names the column instead."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name
    text = str(error)
    if "UNIQUE constraint failed: tenancies_tenancy.client_id" in text:
        return ONE_ACTIVE_CONSTRAINT
    return text


# PostgreSQL's code for "deadlock detected".
DEADLOCK = "40P01"


def _insert_retrying_a_deadlock(tenancy: Tenancy) -> None:
    """Insert in a savepoint. Two inserts that check the exclusion constraint
    against each other's uncommitted row can deadlock; PostgreSQL then aborts
    one of them. Its savepoint is rolled back, which lets the other commit,
    and the second try waits for that commit and meets the constraint as an
    IntegrityError, which `_save_new` turns into the message naming the
    tenancy that won."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                tenancy.save()
            return
        except OperationalError as error:
            if attempt or getattr(error.__cause__, "sqlstate", None) != DEADLOCK:
                raise
            tenancy.pk = None


def _save_new(tenancy: Tenancy) -> None:
    """Insert, turning the database's own refusals (two simultaneous moves
    that both passed the checks) into the messages the checks give."""
    try:
        _insert_retrying_a_deadlock(tenancy)
    except IntegrityError as error:
        constraint = _constraint_of(error)
        if OVERLAP_CONSTRAINT in constraint:
            # The other transaction has committed (the constraint waited for
            # it), so its tenancy is visible now: name it, as the check does.
            clash = first_overlap(tenancy.apartment, tenancy.start_date, tenancy.end_date, exclude=tenancy)
            if clash is not None:
                raise _overlap_error(clash) from None
            raise TenancyError(
                _("Someone else moved a tenant into the apartment for the same period just now. "
                  "Nothing was saved; reload the apartment and check."),
                code="overlap",
                field="start_date",
            ) from None
        if ONE_ACTIVE_CONSTRAINT in constraint:
            raise _active_tenancy_error() from None
        raise


def _lock_decision(decision: Decision | None) -> Decision | None:
    if decision is None:
        return None
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _decision_kind_label(kind: str) -> str:
    return DecisionKind(kind).label.lower()


def _check_decision(decision: Decision, client: Client, apartment: Apartment, start: date) -> None:
    """The decision a move-in executes: the client's, of the kind the
    apartment needs, granted and neither executed nor closed, and valid on
    the move-in day."""
    if decision is None:
        raise TenancyError(_("Choose the decision the move-in executes."), code="no_decision", field="decision")
    if decision.client_id != client.pk:
        raise TenancyError(_("The decision belongs to another client."), code="wrong_client", field="decision")
    if decision.kind != apartment.decision_kind:
        raise TenancyError(
            _("A %(apartment)s needs a decision on %(kind)s; the chosen decision is on %(chosen)s.")
            % {
                "apartment": apartment.get_kind_display().lower(),
                "kind": _decision_kind_label(apartment.decision_kind),
                "chosen": _decision_kind_label(decision.kind),
            },
            code="wrong_kind",
            field="decision",
        )
    if not decision.is_granted or decision.executed_on or decision.closed_on:
        raise TenancyError(
            _("The decision must be granted and not yet executed or closed."), code="decision_used", field="decision"
        )
    _check_within_validity(decision, start)


def available_decisions(client: Client, apartment: Apartment, start: date) -> QuerySet[Decision]:
    """The client's decisions a move-in into `apartment` on `start` could
    execute: of the apartment's kind, granted, neither executed nor closed,
    valid that day (what _check_decision accepts)."""
    return (
        Decision.objects.not_executed()
        .filter(client=client, kind=apartment.decision_kind, valid_from__lte=start, decided_on__lte=start)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    )


def check_decision_available(client: Client, apartment: Apartment, start: date) -> None:
    """A move-in registered without choosing the decision (the housing
    administrator's, issue 12 §7) still needs one the case officer can link:
    no tenancy is let without a granted decision."""
    if not available_decisions(client, apartment, start).exists():
        raise TenancyError(
            _("The client has no granted decision on %(kind)s, valid on the move-in day and not yet executed. "
              "Ask the case officer.") % {"kind": _decision_kind_label(apartment.decision_kind)},
            code="no_decision",
            field="client",
        )


def _check_within_validity(decision: Decision, start: date) -> None:
    # execute_decision refuses an execution before the decision date; a
    # decision may be valid from an earlier day (retroactively), so both.
    earliest = max(decision.valid_from, decision.decided_on)
    if start < earliest or (decision.valid_to and start > decision.valid_to):
        raise TenancyError(
            _("The move-in date must be within the decision's validity (%(period)s).")
            % {"period": _period(earliest, decision.valid_to)},
            code="outside_validity",
            field="start_date",
        )


def _check_apartment_can_take(apartment: Apartment) -> None:
    if apartment.status == ApartmentStatus.LEFT_PROGRAMME:
        raise TenancyError(
            _("The apartment has left the programme and cannot be let."), code="left_programme", field="apartment"
        )


def _check_new_tenancy_is_open(tenancy: Tenancy) -> None:
    """A move-in starts a tenancy until further notice; it ends through a
    move-out, which records the end reason."""
    if tenancy.end_date is None:
        return
    if tenancy.end_date < tenancy.start_date:
        raise TenancyError(
            _("The move-out date cannot be before the move-in date (%(date)s).") % {"date": _date(tenancy.start_date)},
            code="before_start",
            field="end_date",
        )
    raise TenancyError(
        _("A move-in starts a tenancy until further notice; register the move-out on the tenancy page."),
        code="ended",
        field="end_date",
    )


# --- Possible first-hand takeovers ---------------------------------------------------


def takeover_candidates(tenancies: QuerySet[Tenancy], today: date) -> QuerySet[Tenancy]:
    """Active tenancies in training apartments whose tenant has lived in the
    programme without a break (internal moves count as continuous) for
    TAKEOVER_YEARS or more on `today`: possible first-hand takeovers, longest
    first."""
    return (
        tenancies.active()
        .filter(
            apartment__kind=ApartmentKind.TRAINING,
            start_date__lte=today,
            continuous_since__lte=years_before(today, TAKEOVER_YEARS),
        )
        .order_by("continuous_since", "id")
    )
