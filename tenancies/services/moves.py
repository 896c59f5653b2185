"""Move-in, move-out and internal move: the three ways a tenancy starts or
ends. Each runs in one transaction with its audit entries (access log and
field history).

A move-in executes the client's decision (referrals.services.decisions) and
marks the apartment occupied; a move-out records the end reason and frees the
apartment (or takes it out of the programme after a first-hand takeover).
The rules and the locking order are in services/tenancies.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from audit.context import AuditContext
    from referrals.models import Decision

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify_many
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from core.rules import RuleError
from referrals import protection
from referrals.models import PROTECTED_FIELDS, Client
from referrals.services.decisions import DecisionError, execute_decision

from ..models import Apartment, ApartmentStatus, EndReason, Tenancy
from ..signals import tenancy_ending

# Through the module, not its names: the rules are one place, and a test
# that replaces one of them (tenancies/tests) replaces it for the moves too.
from . import offers, vacancies
from . import tenancies as rules
from .addresses import apartment_address
from .tenancies import TenancyError

ENDING_FIELDS = ["end_date", "end_reason", "end_note"]
ADDRESS_FIELDS = ["street_address", "postal_code", "city"]


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


def _set_status(ctx: AuditContext, apartment: Apartment, status: str) -> None:
    """Change the apartment's status, bumping its version (a housing
    administrator editing it meanwhile gets a conflict, not a silent
    overwrite) and keeping the change in its field history."""
    if apartment.status == status:
        return
    before = snapshot(apartment, ["status"])
    apartment.status = status
    save_tracked(ctx, apartment, ["status"], before=before, update_fields=["status"],
                 expected_version=apartment.version, log=False)


def _start(ctx: AuditContext, tenancy: Tenancy, apartment: Apartment) -> None:
    """Fill in what the services own and insert the tenancy."""
    tenancy.apartment = apartment
    tenancy.created_by = ctx.user
    if tenancy.rent is None:
        tenancy.rent = apartment.rent
    rules.derive_programme_fields(tenancy)
    rules._save_new(tenancy)


# --- Who hears of a move -------------------------------------------------------------


def housing_admins_of(apartment: Apartment, ctx: AuditContext) -> list:
    """The housing administrators an apartment is "theirs" to: the active
    housing administrators of its unit (apartments have no named
    administrator), except whoever registers the move."""
    users = get_user_model().objects.filter(
        unit_id=apartment.unit_id, is_active=True, groups__name=Role.HOUSING_ADMIN,
    ).distinct()
    if ctx.user is not None and ctx.user.pk is not None:
        users = users.exclude(pk=ctx.user.pk)
    return list(users)


MOVE_TEXTS = {
    "move_in": gettext_noop("Move-in registered in apartment %(number)s"),
    "move_out": gettext_noop("Move-out registered from apartment %(number)s"),
    "internal_move": gettext_noop("Internal move registered into apartment %(number)s"),
}


def _tell_housing_admins(ctx: AuditContext, apartment: Apartment, tenancy: Tenancy, what: str) -> None:
    """Notify the apartment's housing administrators (in the app and by
    e-mail after commit). The text names the apartment by object number and
    the move by kind, never the tenant nor the date: it leaves the system by
    e-mail, and for a protected tenant the dates are what housing
    administrators may not see (referrals.protection)."""
    notify_many(
        housing_admins_of(apartment, ctx),
        _(MOVE_TEXTS[what]) % {"number": apartment.object_number},
        reverse("tenancies:apartment_detail", args=[apartment.pk]),
    )


def _ask_officer_to_link(ctx: AuditContext, tenancy: Tenancy, apartment: Apartment) -> None:
    """Tell the client's responsible case officer that a move-in waits for
    its decision; without one (or a closed account), the case officer who
    made a decision the move-in could execute: somebody must link it. Not
    the user who registered the move (a case officer moving in from the
    apartment page goes on to the link at once). The text names the tenancy
    by number, never the person nor the apartment (a protected client's case
    officer may not learn which apartment; the tenancy page shows them only
    their side)."""
    candidates = [tenancy.client.responsible_officer] + [
        decision.decided_by
        for decision in rules.available_decisions(tenancy.client, apartment, tenancy.start_date)
        .select_related("decided_by").order_by("decided_on", "pk")
    ]
    officer = next((user for user in candidates if user is not None and user.is_active), None)
    if officer is None or (ctx.user is not None and officer.pk == ctx.user.pk):
        return
    notify_many(
        [officer],
        _("A move-in (tenancy #%(number)s) waits for you to link its decision") % {"number": tenancy.pk},
        reverse("tenancies:tenancy_link_decision", args=[tenancy.pk]),
    )


def register_move_in_address(ctx: AuditContext, tenancy: Tenancy, apartment: Apartment) -> bool:
    """Make the apartment the client's registered address
    (folkbokföringsadress) when the move-in has happened (its date is today
    or earlier), with the old → new values, who and when in the client's
    change history. Returns whether the address changed.

    A planned move-in changes nothing yet: until its date the client still
    lives at the old address, and "where to go" (services.addresses) only
    switches to the apartment on the move-in date. A move-out changes
    nothing either: where the client goes next is not known to the
    programme (docs/architecture.md, "Where to go").

    The client's row is claimed like an edit: a case officer saving the
    client form opened before the move-in gets a conflict instead of
    silently writing the old address back. The address fields are marked
    protected in the history, as the client form marks them."""
    if tenancy.start_date > timezone.localdate():
        return False
    client = Client.objects.get(pk=tenancy.client_id)
    address = apartment_address(apartment, apartment.unit.municipality)
    values = {"street_address": address.street, "postal_code": address.postal_code, "city": address.city}
    if all(getattr(client, name) == value for name, value in values.items()):
        return False
    before = snapshot(client, ADDRESS_FIELDS, PROTECTED_FIELDS)
    for name, value in values.items():
        setattr(client, name, value)
    save_tracked(ctx, client, ADDRESS_FIELDS, before=before, update_fields=ADDRESS_FIELDS,
                 expected_version=client.version, protected=PROTECTED_FIELDS, note="address: move_in")
    # The caller's instance shows the new address too.
    for name in [*ADDRESS_FIELDS, "version"]:
        setattr(tenancy.client, name, getattr(client, name))
    return True


# --- Move-in, move-out, internal move -----------------------------------------------


@transaction.atomic
def move_in(ctx: AuditContext, tenancy: Tenancy, *, decision_pending: bool = False) -> Tenancy:
    """Start `tenancy` (unsaved: apartment, client, decision, start date,
    rent, terms filled in): checks the rules, creates it, marks the apartment
    occupied and executes the decision, all in one transaction.

    The tenancy is an internal move when the client's previous tenancy ended
    "moved within the programme" (tenancies.derive_programme_fields).

    `decision_pending`: the housing administrator's move-in (issue 12 §7).
    The decision stays the case officer's to choose: the client must have
    one that could be linked, but none is executed; the tenancy is created
    waiting for the link and the client's case officer is asked to make it
    (link_decision)."""
    if tenancy.apartment_id is None:
        raise TenancyError(_("Choose the apartment the client moves into."), code="no_apartment", field="apartment")
    apartment = rules._lock_apartment(tenancy.apartment)
    decision = rules._lock_decision(tenancy.decision)
    rules._check_new_tenancy_is_open(tenancy)
    rules._check_apartment_can_take(apartment)
    if decision_pending:
        decision = None
        rules.check_decision_available(tenancy.client, apartment, tenancy.start_date)
    else:
        rules._check_decision(decision, tenancy.client, apartment, tenancy.start_date)
    rules.check_client_free(tenancy.client, tenancy.start_date)
    rules.check_no_overlap(apartment, tenancy.start_date)
    tenancy.decision = decision
    tenancy.decision_pending = decision_pending
    _start(ctx, tenancy, apartment)
    if decision_pending:
        _ask_officer_to_link(ctx, tenancy, apartment)
    else:
        _execute(ctx, decision, tenancy.start_date, apartment)
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    vacancies.close_vacancy(ctx, apartment, tenancy)
    # An accepted (or still open) offer of this apartment to the tenant is
    # done; others of the apartment are withdrawn (services.offers).
    offers.complete_for_tenancy(ctx, tenancy)
    register_move_in_address(ctx, tenancy, apartment)
    log_access(ctx, AccessAction.CREATE, tenancy, note="move_in")
    _tell_housing_admins(ctx, apartment, tenancy, "move_in")
    return tenancy


@transaction.atomic
def link_decision(
    ctx: AuditContext, tenancy: Tenancy, decision: Decision | None, *, expected_version: int | None,
) -> Tenancy:
    """The case officer links the decision a housing administrator's
    move-in executes: the decision must fit as at any move-in (the client's,
    of the apartment's kind, granted, unused, valid on the move-in day) and
    is executed from the move-in date (a decision is executed when the
    service starts, DOMAIN.md), with the link in the tenancy's history."""
    apartment = rules._lock_apartment(Apartment(pk=tenancy.apartment_id))
    current = Tenancy.objects.select_for_update().select_related("client").get(pk=tenancy.pk)
    if not current.decision_pending:
        raise TenancyError(_("The tenancy's decision is already linked."), code="linked", field="decision")
    decision = rules._lock_decision(decision)
    rules._check_decision(decision, current.client, apartment, current.start_date)
    before = snapshot(current, ["decision", "decision_pending"])
    current.decision = decision
    current.decision_pending = False
    save_tracked(ctx, current, ["decision", "decision_pending"], before=before,
                 update_fields=["decision", "decision_pending"], log=False, expected_version=expected_version)
    _execute(ctx, decision, current.start_date, apartment)
    log_access(ctx, AccessAction.UPDATE, current, note="link_decision")
    return current


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
    notify_admins: bool = True,
) -> Tenancy:
    """End `tenancy` on `end_date` (the move-out day, still the tenant's) with
    a reason from the catalogue. The apartment becomes vacant, or leaves the
    programme when the tenant took over the first-hand contract.

    `expected_version` is the version the user's form was opened with; a
    save by someone else in between raises ConcurrentEditError."""
    apartment = rules._lock_apartment(Apartment(pk=tenancy.apartment_id))
    current = Tenancy.objects.select_for_update().select_related("client").get(pk=tenancy.pk)
    current.apartment = apartment
    if current.end_date is not None:
        raise TenancyError(
            _("The tenancy already ended on %(date)s.") % {"date": rules._date(current.end_date)}, code="ended"
        )
    if end_date is None:
        raise TenancyError(_("Give the move-out date."), code="no_end_date", field="end_date")
    if end_reason not in EndReason.values:
        raise TenancyError(_("Choose why the tenancy ends."), code="no_reason", field="end_reason")
    if end_date < current.start_date:
        raise TenancyError(
            _("The move-out date cannot be before the move-in date (%(date)s).")
            % {"date": rules._date(current.start_date)},
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
            % {"date": rules._date(later.start_date)},
            code="overlap",
            field="end_date",
        )
    # Higher apps' rules (tenancies.signals): e.g. the rent ledger refuses an
    # end for arrears while the tenant may still pay and keep the home.
    try:
        tenancy_ending.send(sender=Tenancy, tenancy=current, end_date=end_date, end_reason=end_reason)
    except RuleError as error:
        raise TenancyError(error.messages[0], code=error.code, field=error.field or "end_reason") from None
    before = snapshot(current, ENDING_FIELDS)
    current.end_date = end_date
    current.end_reason = end_reason
    current.end_note = (note or "").strip()[:300]
    save_tracked(ctx, current, ENDING_FIELDS, before=before, update_fields=ENDING_FIELDS, log=False,
                 expected_version=current.version if expected_version is None else expected_version)
    _set_status(ctx, apartment, _status_after_move_out(apartment, current, end_reason))
    vacancies.after_move_out(ctx, apartment, current)
    log_access(ctx, AccessAction.UPDATE, current, note="move_out")
    if notify_admins:
        _tell_housing_admins(ctx, apartment, current, "move_out")
    for name in [*ENDING_FIELDS, "version"]:
        setattr(tenancy, name, getattr(current, name))
    return current


def _decision_for_internal_move(
    current: Tenancy, new_tenancy: Tenancy, apartment: Apartment, decision_pending: bool = False,
) -> tuple[Decision | None, bool]:
    """The decision the new tenancy runs under, and whether it carries over.

    The current decision carries over when the new apartment is of the same
    kind and no other decision was chosen (it is already executed: the stay
    continues); it must still be valid on the day of the move. Otherwise
    the new tenancy needs its own, not yet executed, decision.

    `decision_pending` (a housing administrator's move, who chooses no
    decisions): when the current decision cannot carry over, the new
    tenancy waits for the case officer to link one, which must exist."""
    chosen = None if decision_pending else rules._lock_decision(new_tenancy.decision)
    start = new_tenancy.start_date
    if chosen is None and current.decision is not None:
        if current.decision.kind == apartment.decision_kind:
            rules._check_within_validity(current.decision, start)
            return current.decision, True
        if decision_pending:
            rules.check_decision_available(current.client, apartment, start)
            return None, False
        raise TenancyError(
            _("The current decision is on %(chosen)s; a %(apartment)s needs a decision on %(kind)s. Choose one.")
            % {
                "chosen": rules._decision_kind_label(current.decision.kind),
                "apartment": apartment.get_kind_display().lower(),
                "kind": rules._decision_kind_label(apartment.decision_kind),
            },
            code="wrong_kind",
            field="decision",
        )
    if decision_pending:
        rules.check_decision_available(current.client, apartment, start)
        return None, False
    rules._check_decision(chosen, current.client, apartment, start)
    return chosen, False


@transaction.atomic
def internal_move(
    ctx: AuditContext, tenancy: Tenancy, new_tenancy: Tenancy, *, expected_version: int | None = None,
    decision_pending: bool = False, move_out_on: date | None = None,
) -> Tenancy:
    """Move the tenant of `tenancy` to another apartment of the programme
    (omflyttning): the old tenancy ends "moved within the programme" on
    `move_out_on` (its last day; default the day before the new one
    starts), and the new one (unsaved `new_tenancy`: apartment, start date,
    optionally decision, rent, terms) starts — in one transaction.

    The move-in may come days or months after the move-out (a gap: the
    client waits in an emergency apartment or elsewhere). The new tenancy
    is an internal move all the same and keeps the time in the programme
    (continuous_since): see docs/kpis.md, "Internal moves with a gap"."""
    current = Tenancy.objects.select_related("client", "decision").get(pk=tenancy.pk)
    if new_tenancy.apartment_id is None:
        raise TenancyError(_("Choose the apartment the tenant moves to."), code="no_apartment", field="apartment")
    old_apartment, apartment = rules._lock_apartments(Apartment(pk=current.apartment_id), new_tenancy.apartment)
    if current.end_date is not None:
        raise TenancyError(_("Only an active tenancy can be moved."), code="ended")
    if apartment.pk == old_apartment.pk:
        raise TenancyError(_("Choose another apartment."), code="same_apartment", field="apartment")
    if new_tenancy.start_date is None:
        raise TenancyError(_("Give the move-in date."), code="no_start_date", field="start_date")
    if new_tenancy.start_date <= current.start_date:
        raise TenancyError(
            _("The new tenancy must start after the current one started (%(date)s).")
            % {"date": rules._date(current.start_date)},
            code="before_start",
            field="start_date",
        )
    if move_out_on is None:
        move_out_on = new_tenancy.start_date - timedelta(days=1)
    if move_out_on < current.start_date:
        raise TenancyError(
            _("The move-out date cannot be before the move-in date (%(date)s).")
            % {"date": rules._date(current.start_date)},
            code="before_start",
            field="move_out_date",
        )
    if new_tenancy.start_date <= move_out_on:
        raise TenancyError(
            _("The move-in date in the new apartment must be after the move-out date (%(date)s).")
            % {"date": rules._date(move_out_on)},
            code="move_in_before_move_out",
            field="start_date",
        )
    new_tenancy.client = current.client
    rules._check_new_tenancy_is_open(new_tenancy)
    rules._check_apartment_can_take(apartment)
    decision, carries_over = _decision_for_internal_move(current, new_tenancy, apartment, decision_pending)
    rules.check_no_overlap(apartment, new_tenancy.start_date)
    move_out(ctx, current, move_out_on, EndReason.MOVED_WITHIN_PROGRAMME,
             note=_("Internal move"), expected_version=expected_version, notify_admins=False)
    tenancy.__dict__.update({name: getattr(current, name) for name in [*ENDING_FIELDS, "version"]})
    new_tenancy.decision = decision
    new_tenancy.decision_pending = decision is None and not carries_over and decision_pending
    _start(ctx, new_tenancy, apartment)
    if new_tenancy.decision_pending:
        _ask_officer_to_link(ctx, new_tenancy, apartment)
    elif not carries_over:
        _execute(ctx, decision, new_tenancy.start_date, apartment)
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    vacancies.close_vacancy(ctx, apartment, new_tenancy)
    offers.complete_for_tenancy(ctx, new_tenancy)
    register_move_in_address(ctx, new_tenancy, apartment)
    log_access(ctx, AccessAction.CREATE, new_tenancy, note="internal_move")
    _tell_housing_admins(ctx, apartment, new_tenancy, "internal_move")
    return new_tenancy
