"""Move-in, move-out and internal move: the three ways a tenancy starts or
ends; the terms, home insurance and income sources that hang on a tenancy;
and the list of possible first-hand takeovers. Each write runs in one
transaction with its audit entries (access log and field history).

A move-in executes the client's decision (referrals.services.decisions) and
marks the apartment occupied; a move-out records the end reason and frees the
apartment (or takes it out of the programme after a first-hand takeover).

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

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import diff_fields, log_access, record_changes, snapshot
from audit.versioning import claim_version
from referrals import protection
from referrals.models import Decision, DecisionKind
from referrals.services.decisions import DecisionError, execute_decision

from ..models import Apartment, ApartmentKind, ApartmentStatus, EndReason, HomeInsurance, IncomeSource, Tenancy

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from audit.context import AuditContext
    from referrals.models import Client

OVERLAP_CONSTRAINT = "tenancies_tenancy_no_overlap"
ONE_ACTIVE_CONSTRAINT = "tenancies_tenancy_one_active_per_client"

# A tenant may take over the first-hand contract after about three years.
TAKEOVER_YEARS = 3

# What a case officer may change on a running tenancy (tenancy_terms); the
# changes are kept in the field history.
TERMS_FIELDS = ["rent", "contract_months", "notice_weeks", "renews_automatically"]
INSURANCE_FIELDS = ["company", "policy_number", "valid_from", "valid_until"]
INCOME_FIELDS = ["kind", "valid_from", "valid_to"]
ENDING_FIELDS = ["end_date", "end_reason", "end_note"]


class TenancyError(ValidationError):
    """A rule refuses the move; the message is Swedish and for the user.
    Nothing has been written when it is raised. `field` names the form field
    the message belongs beside (None: the form as a whole)."""

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message, code=code)
        self.field = field


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


def _save_new(tenancy: Tenancy) -> None:
    """Insert, turning the database's own refusals (two simultaneous moves
    that both passed the checks) into the messages the checks give."""
    try:
        with transaction.atomic():
            tenancy.save()
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


def _execute(ctx: AuditContext, decision: Decision, start: date, apartment: Apartment) -> None:
    # The note names no apartment (not even its object number): it is read
    # beside the client's name on the decision page and in its history, and
    # for a client with protected personal data "which apartment" is their
    # address (referrals.protection). The tenancy links the two instead,
    # shown through the protection rule.
    try:
        execute_decision(ctx, decision, start, note=protection.move_in_note())
    except DecisionError as error:
        raise TenancyError(error.messages[0], code=error.code, field="decision") from None


def _set_status(ctx, apartment, status):
    """Change the apartment's status, bumping its version (a housing
    administrator editing it meanwhile gets a conflict, not a silent
    overwrite) and keeping the change in its field history."""
    if apartment.status == status:
        return
    before = snapshot(apartment, ["status"])
    claim_version(apartment, apartment.version)
    apartment.status = status
    apartment.save(update_fields=["status", "version"])
    record_changes(ctx, apartment, diff_fields(before, snapshot(apartment, ["status"]), ["status"]))


def _start(ctx: AuditContext, tenancy: Tenancy, apartment: Apartment) -> None:
    """Fill in what the services own and insert the tenancy."""
    tenancy.apartment = apartment
    tenancy.created_by = ctx.user
    if tenancy.rent is None:
        tenancy.rent = apartment.rent
    derive_programme_fields(tenancy)
    _save_new(tenancy)


# --- Move-in, move-out, internal move -----------------------------------------------


@transaction.atomic
def move_in(ctx: AuditContext, tenancy: Tenancy) -> Tenancy:
    """Start `tenancy` (unsaved: apartment, client, decision, start date,
    rent, terms filled in): checks the rules, creates it, marks the apartment
    occupied and executes the decision, all in one transaction.

    The tenancy is an internal move when the client's previous tenancy ended
    "moved within the programme" (derive_programme_fields)."""
    if tenancy.apartment_id is None:
        raise TenancyError(_("Choose the apartment the client moves into."), code="no_apartment", field="apartment")
    apartment = _lock_apartment(tenancy.apartment)
    decision = _lock_decision(tenancy.decision)
    _check_new_tenancy_is_open(tenancy)
    _check_apartment_can_take(apartment)
    _check_decision(decision, tenancy.client, apartment, tenancy.start_date)
    check_client_free(tenancy.client, tenancy.start_date)
    check_no_overlap(apartment, tenancy.start_date)
    tenancy.decision = decision
    _start(ctx, tenancy, apartment)
    _execute(ctx, decision, tenancy.start_date, apartment)
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    log_access(ctx, AccessAction.CREATE, tenancy, note="move_in")
    return tenancy


def _status_after_move_out(apartment: Apartment, tenancy: Tenancy, end_reason: str) -> str:
    """The apartment leaves the programme when the tenant took over the
    first-hand contract. Otherwise an occupied apartment becomes vacant, unless
    a later tenancy is already registered; a status the housing administrator
    set (repair, being returned) stays."""
    if end_reason == EndReason.FIRST_HAND_TAKEOVER:
        return ApartmentStatus.LEFT_PROGRAMME
    if apartment.status != ApartmentStatus.OCCUPIED:
        return apartment.status
    later = Tenancy.objects.filter(apartment=apartment, end_date__isnull=True).exclude(pk=tenancy.pk)
    return ApartmentStatus.OCCUPIED if later.exists() else ApartmentStatus.VACANT


@transaction.atomic
def move_out(
    ctx: AuditContext,
    tenancy: Tenancy,
    end_date: date,
    end_reason: str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> Tenancy:
    """End `tenancy` on `end_date` (the move-out day, still the tenant's) with
    a reason from the catalogue. The apartment becomes vacant, or leaves the
    programme when the tenant took over the first-hand contract.

    `expected_version` is the version the user's form was opened with; a
    save by someone else in between raises ConcurrentEditError."""
    apartment = _lock_apartment(Apartment(pk=tenancy.apartment_id))
    current = Tenancy.objects.select_for_update().select_related("client").get(pk=tenancy.pk)
    current.apartment = apartment
    if current.end_date is not None:
        raise TenancyError(
            _("The tenancy already ended on %(date)s.") % {"date": _date(current.end_date)}, code="ended"
        )
    if end_date is None:
        raise TenancyError(_("Give the move-out date."), code="no_end_date", field="end_date")
    if end_reason not in EndReason.values:
        raise TenancyError(_("Choose why the tenancy ends."), code="no_reason", field="end_reason")
    if end_date < current.start_date:
        raise TenancyError(
            _("The move-out date cannot be before the move-in date (%(date)s).") % {"date": _date(current.start_date)},
            code="before_start",
            field="end_date",
        )
    later = (
        Tenancy.objects.filter(apartment=apartment, start_date__gt=current.start_date, start_date__lte=end_date)
        .exclude(pk=current.pk)
        .order_by("start_date")
        .first()
    )
    if later:
        raise TenancyError(
            _("Another tenancy of the apartment starts %(date)s; the move-out must be before it.")
            % {"date": _date(later.start_date)},
            code="overlap",
            field="end_date",
        )
    claim_version(current, current.version if expected_version is None else expected_version)
    before = snapshot(current, ENDING_FIELDS)
    current.end_date = end_date
    current.end_reason = end_reason
    current.end_note = (note or "").strip()[:300]
    current.save(update_fields=[*ENDING_FIELDS, "version"])
    record_changes(ctx, current, diff_fields(before, snapshot(current, ENDING_FIELDS), ENDING_FIELDS))
    _set_status(ctx, apartment, _status_after_move_out(apartment, current, end_reason))
    log_access(ctx, AccessAction.UPDATE, current, note="move_out")
    for name in [*ENDING_FIELDS, "version"]:
        setattr(tenancy, name, getattr(current, name))
    return current


def _decision_for_internal_move(
    current: Tenancy, new_tenancy: Tenancy, apartment: Apartment,
) -> tuple[Decision | None, bool]:
    """The decision the new tenancy runs under, and whether it carries over.

    The current decision carries over when the new apartment is of the same
    kind and no other decision was chosen (it is already executed: the stay
    continues); it must still be valid on the day of the move. Otherwise
    the new tenancy needs its own, not yet executed, decision."""
    chosen = _lock_decision(new_tenancy.decision)
    start = new_tenancy.start_date
    if chosen is None and current.decision is not None:
        if current.decision.kind == apartment.decision_kind:
            _check_within_validity(current.decision, start)
            return current.decision, True
        raise TenancyError(
            _("The current decision is on %(chosen)s; a %(apartment)s needs a decision on %(kind)s. Choose one.")
            % {
                "chosen": _decision_kind_label(current.decision.kind),
                "apartment": apartment.get_kind_display().lower(),
                "kind": _decision_kind_label(apartment.decision_kind),
            },
            code="wrong_kind",
            field="decision",
        )
    _check_decision(chosen, current.client, apartment, start)
    return chosen, False


@transaction.atomic
def internal_move(
    ctx: AuditContext, tenancy: Tenancy, new_tenancy: Tenancy, *, expected_version: int | None = None,
) -> Tenancy:
    """Move the tenant of `tenancy` to another apartment of the programme
    (omflyttning): the old tenancy ends "moved within the programme" the day
    before the new one starts, and the new one (unsaved `new_tenancy`:
    apartment, start date, optionally decision, rent, terms) starts — in one
    transaction. The new tenancy is an internal move and keeps the time in
    the programme (continuous_since)."""
    current = Tenancy.objects.select_related("client", "decision").get(pk=tenancy.pk)
    if new_tenancy.apartment_id is None:
        raise TenancyError(_("Choose the apartment the tenant moves to."), code="no_apartment", field="apartment")
    old_apartment, apartment = _lock_apartments(Apartment(pk=current.apartment_id), new_tenancy.apartment)
    if current.end_date is not None:
        raise TenancyError(_("Only an active tenancy can be moved."), code="ended")
    if apartment.pk == old_apartment.pk:
        raise TenancyError(_("Choose another apartment."), code="same_apartment", field="apartment")
    if new_tenancy.start_date is None:
        raise TenancyError(_("Give the move-in date."), code="no_start_date", field="start_date")
    if new_tenancy.start_date <= current.start_date:
        raise TenancyError(
            _("The new tenancy must start after the current one started (%(date)s).")
            % {"date": _date(current.start_date)},
            code="before_start",
            field="start_date",
        )
    new_tenancy.client = current.client
    _check_new_tenancy_is_open(new_tenancy)
    _check_apartment_can_take(apartment)
    decision, carries_over = _decision_for_internal_move(current, new_tenancy, apartment)
    check_no_overlap(apartment, new_tenancy.start_date)
    move_out(ctx, current, new_tenancy.start_date - timedelta(days=1), EndReason.MOVED_WITHIN_PROGRAMME,
             note=_("Internal move"), expected_version=expected_version)
    tenancy.__dict__.update({name: getattr(current, name) for name in [*ENDING_FIELDS, "version"]})
    new_tenancy.decision = decision
    _start(ctx, new_tenancy, apartment)
    if not carries_over:
        _execute(ctx, decision, new_tenancy.start_date, apartment)
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    log_access(ctx, AccessAction.CREATE, new_tenancy, note="internal_move")
    return new_tenancy


# --- Terms of a running tenancy ------------------------------------------------------


@transaction.atomic
def update_terms(ctx: AuditContext, tenancy: Tenancy, *, expected_version: int) -> Tenancy:
    """Save the edited rent and contract terms of `tenancy`; raises
    ConcurrentEditError when someone else saved it after `expected_version`."""
    claim_version(tenancy, expected_version)
    stored = Tenancy.objects.get(pk=tenancy.pk)
    before = snapshot(stored, TERMS_FIELDS)
    tenancy.save(update_fields=[*TERMS_FIELDS, "version"])
    changes = diff_fields(before, snapshot(tenancy, TERMS_FIELDS), TERMS_FIELDS)
    record_changes(ctx, tenancy, changes)
    log_access(ctx, AccessAction.UPDATE, tenancy, note=", ".join(change.field for change in changes))
    return tenancy


# --- Home insurance and income sources ------------------------------------------------


def _check_period(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise TenancyError(_("The end of the period cannot be before its start."), code="end_before_start", field=field)


@transaction.atomic
def add_insurance(ctx: AuditContext, tenancy: Tenancy, insurance: HomeInsurance) -> HomeInsurance:
    """Register the tenant's home insurance for `tenancy`."""
    _check_period(insurance.valid_from, insurance.valid_until, "valid_until")
    insurance.tenancy = tenancy
    insurance.save()
    log_access(ctx, AccessAction.CREATE, insurance)
    return insurance


@transaction.atomic
def update_insurance(ctx: AuditContext, insurance: HomeInsurance) -> HomeInsurance:
    """Save an edited home insurance, keeping the field history."""
    _check_period(insurance.valid_from, insurance.valid_until, "valid_until")
    stored = HomeInsurance.objects.get(pk=insurance.pk)
    before = snapshot(stored, INSURANCE_FIELDS)
    insurance.save(update_fields=INSURANCE_FIELDS)
    changes = diff_fields(before, snapshot(insurance, INSURANCE_FIELDS), INSURANCE_FIELDS)
    record_changes(ctx, insurance, changes)
    log_access(ctx, AccessAction.UPDATE, insurance, note=", ".join(change.field for change in changes))
    return insurance


@transaction.atomic
def add_income(ctx: AuditContext, tenancy: Tenancy, income: IncomeSource) -> IncomeSource:
    """Register an income source of the tenant of `tenancy`."""
    _check_period(income.valid_from, income.valid_to, "valid_to")
    income.tenancy = tenancy
    income.save()
    log_access(ctx, AccessAction.CREATE, income)
    return income


@transaction.atomic
def update_income(ctx: AuditContext, income: IncomeSource) -> IncomeSource:
    """Save an edited income source, keeping the field history."""
    _check_period(income.valid_from, income.valid_to, "valid_to")
    stored = IncomeSource.objects.get(pk=income.pk)
    before = snapshot(stored, INCOME_FIELDS)
    income.save(update_fields=INCOME_FIELDS)
    changes = diff_fields(before, snapshot(income, INCOME_FIELDS), INCOME_FIELDS)
    record_changes(ctx, income, changes)
    log_access(ctx, AccessAction.UPDATE, income, note=", ".join(change.field for change in changes))
    return income


@transaction.atomic
def end_income(ctx: AuditContext, income: IncomeSource, valid_to: date) -> IncomeSource:
    """The income source ended on `valid_to` (its last day)."""
    current = IncomeSource.objects.select_for_update().select_related("tenancy__client").get(pk=income.pk)
    if current.valid_to is not None:
        raise TenancyError(
            _("The income source already ended on %(date)s.") % {"date": _date(current.valid_to)}, code="ended"
        )
    _check_period(current.valid_from, valid_to, "valid_to")
    current.valid_to = valid_to
    return update_income(ctx, current)


def incomes_of_stay(tenancy: Tenancy) -> QuerySet[IncomeSource]:
    """The income sources of the tenant during this stay in the programme:
    those registered on this tenancy and on the tenancies it continues
    through internal moves (the same client and continuous_since). See
    TenancyQuerySet.self_supporting_on."""
    return IncomeSource.objects.filter(
        tenancy__client_id=tenancy.client_id, tenancy__continuous_since=tenancy.continuous_since
    )


# --- Possible first-hand takeovers ---------------------------------------------------


def years_before(day, years):
    """The same calendar day `years` earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def full_years_between(start, end):
    """Completed years from `start` to `end`."""
    years = end.year - start.year
    return years - 1 if years_before(end, years) < start else years


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


def is_insured_on(insurances: Iterable[HomeInsurance], day: date) -> bool:
    """Whether one of `insurances` (an iterable) is valid on `day`."""
    return any(
        (item.valid_from is None or item.valid_from <= day) and item.valid_until >= day for item in insurances
    )
