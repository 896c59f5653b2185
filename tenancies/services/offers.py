"""Offers of a vacant apartment to a waiting decision (docs/housing-chain.md,
"Matching and offers").

Every apartment offer also writes the decision's IVO offers log
(referrals.Offer): the date, what was offered (the apartment's kind and
rooms, never its address: the log is read beside the person's identity in
the IVO report) and the answer, with the reason when declined. A declined
or withdrawn offer leaves the decision non-executed; only the move-in
executes it (services.moves).

One open offer (pending or accepted) per apartment and per decision. The
apartment row is locked first (the moves' lock order: apartments, then
decisions), so a second offer made at the same moment waits and then finds
the first; the database's partial unique constraint
`tenancies_offer_one_open_per_apartment` is the last guard, turned into the
same message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notify_many
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from core.formatting import decimal_text
from core.rules import RuleError
from referrals import protection
from referrals.models import Decision, Offer, OfferAnswer, OfferDeclineReason

from ..models import Apartment, ApartmentOffer, ApartmentStatus, OfferState, Tenancy, Vacancy
from . import tenancies as rules

if TYPE_CHECKING:
    from datetime import date

    from audit.context import AuditContext

ONE_OPEN_CONSTRAINT = "tenancies_offer_one_open_per_apartment"
# The default time to answer, from the offer day (the offer form).
ANSWER_DAYS = 7


class OfferError(RuleError):
    """An offer refused by a rule; nothing has been written."""


class OfferQuerySet(models.QuerySet):
    """ApartmentOffer rows with the access rule (accounts.access.fetch_visible
    needs `visible_to`): the offers of the user's unit's apartments, for the
    roles that work with them (case officers, housing administrators,
    managers). Bolotsar see none."""

    def visible_to(self, user):
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        if not any(user.has_role(role) for role in (Role.CASE_OFFICER, Role.HOUSING_ADMIN, Role.MANAGER)):
            return self.none()
        return self.filter(apartment__unit_id=user.unit_id)

    def open(self):
        return self.filter(state__in=OfferState.open_states())


def offers() -> OfferQuerySet:
    return OfferQuerySet(model=ApartmentOffer)


def kept_ivo_offers(offer_ids: list[int]) -> set[int]:
    """The rows of the IVO offers log an apartment offer keeps in line
    (referrals.offer_keepers, declared on the AppConfig): the decision page
    neither edits their answer nor offers to."""
    return set(ApartmentOffer.objects.filter(ivo_offer_id__in=offer_ids).values_list("ivo_offer_id", flat=True))


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def offer_description(apartment: Apartment) -> str:
    """What the IVO offers log says was offered: "Träningslägenhet, 2 rum".
    Never the address nor the object number (referrals.protection)."""
    return _("%(kind)s, %(rooms)s rooms") % {
        "kind": apartment.get_kind_display(), "rooms": decimal_text(apartment.rooms),
    }


def _open_offer_error() -> OfferError:
    return OfferError(
        _("The apartment already has an open offer. Wait for its answer, or withdraw it, before offering the "
          "apartment again."),
        code="open_offer",
    )


def _constraint_of(error: IntegrityError) -> str:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or str(error)


def check_no_open_offer(apartment: Apartment) -> None:
    """One open offer per apartment (checked under the apartment's lock)."""
    if offers().open().filter(apartment=apartment).exists():
        raise _open_offer_error()


def _check_decision(apartment: Apartment, decision: Decision, offered_on: date) -> None:
    if decision.client.unit_id != apartment.unit_id:
        raise OfferError(_("The decision belongs to another unit's client."), code="wrong_unit")
    if decision.kind != apartment.decision_kind:
        raise OfferError(
            _("A %(apartment)s is offered to a decision on %(kind)s; this decision is on %(chosen)s.")
            % {
                "apartment": apartment.get_kind_display().lower(),
                "kind": rules._decision_kind_label(apartment.decision_kind),
                "chosen": rules._decision_kind_label(decision.kind),
            },
            code="wrong_kind",
        )
    if (
        decision.annulled_at is not None or not decision.is_granted or decision.executed_on is not None
        or decision.closed_on is not None
    ):
        raise OfferError(
            _("Only a granted decision waiting for execution can be offered an apartment."), code="not_waiting"
        )
    if offered_on < decision.decided_on:
        raise OfferError(
            _("The offer date cannot be before the decision date (%(date)s).") % {"date": _day(decision.decided_on)},
            code="before_decision", field="offered_on",
        )
    if offers().open().filter(decision=decision).exists():
        raise OfferError(
            _("The decision already has an open offer of another apartment. Record its answer first."),
            code="decision_has_offer",
        )


def _check_dates(offered_on: date, move_in_on: date, answer_by: date, today: date) -> None:
    if offered_on > today:
        raise OfferError(_("The offer date cannot be in the future."), code="future", field="offered_on")
    if answer_by < offered_on:
        raise OfferError(
            _("The answer date cannot be before the offer date."), code="answer_before_offer", field="answer_by"
        )
    if move_in_on < offered_on:
        raise OfferError(
            _("The planned move-in cannot be before the offer date."), code="move_in_before_offer", field="move_in_on"
        )


@transaction.atomic
def make_offer(
    ctx: AuditContext,
    apartment: Apartment,
    decision: Decision,
    offered_on: date,
    move_in_on: date,
    answer_by: date,
    note: str = "",
) -> ApartmentOffer:
    """Offer `apartment` to `decision`: the offer (pending) and the row of
    the decision's IVO offers log, in one transaction. Refused with an
    OfferError (nothing written) when the apartment has an open offer or
    cannot be let, the decision is not waiting or not of the apartment's
    kind, or the dates do not follow each other."""
    apartment = rules._lock_apartment(apartment)
    decision = Decision.objects.select_for_update().select_related("client").get(pk=decision.pk)
    if apartment.status == ApartmentStatus.LEFT_PROGRAMME:
        raise OfferError(_("The apartment has left the programme and cannot be offered."), code="left_programme")
    check_no_open_offer(apartment)
    _check_decision(apartment, decision, offered_on)
    _check_dates(offered_on, move_in_on, answer_by, timezone.localdate())
    clash = rules.first_overlap(apartment, move_in_on)
    if clash is not None:
        raise OfferError(
            _("The apartment is let on the planned move-in day; choose a day after the current tenancy ends."),
            code="let", field="move_in_on",
        )
    ivo_offer = Offer.objects.create(
        decision=decision, offered_on=offered_on, description=offer_description(apartment),
        answer=OfferAnswer.NO_ANSWER,
    )
    offer = ApartmentOffer(
        apartment=apartment,
        vacancy=Vacancy.objects.open().filter(apartment=apartment).first(),
        decision=decision,
        ivo_offer=ivo_offer,
        offered_on=offered_on,
        move_in_on=move_in_on,
        answer_by=answer_by,
        note=(note or "").strip()[:300],
        made_by=ctx.user,
    )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError as error:
        # Two offers at once that both passed the check: the database keeps
        # the first. The whole transaction (the IVO row too) rolls back.
        if ONE_OPEN_CONSTRAINT in _constraint_of(error) or "tenancies_apartmentoffer.apartment_id" in str(error):
            raise _open_offer_error() from None
        raise
    log_access(ctx, AccessAction.CREATE, offer, note="offer")
    log_access(ctx, AccessAction.CREATE, ivo_offer)
    return offer


ANSWER_FIELDS = ["state", "answered_on", "decline_reason", "note"]
IVO_FIELDS = ["answer", "decline_reason", "note"]


def _write_ivo(ctx: AuditContext, offer: ApartmentOffer, **values) -> None:
    """Bring the IVO offers log's row in line with the apartment offer, with
    the change in its history (the row may have been edited on the
    decision page meanwhile: its current version is claimed)."""
    if offer.ivo_offer_id is None:
        return
    ivo = Offer.objects.select_for_update().get(pk=offer.ivo_offer_id)
    before = snapshot(ivo, list(values))
    for name, value in values.items():
        setattr(ivo, name, value)
    save_tracked(ctx, ivo, list(values), before=before, update_fields=list(values), expected_version=ivo.version)


def _locked_offer(offer: ApartmentOffer) -> ApartmentOffer:
    return ApartmentOffer.objects.select_for_update().select_related("decision__client").get(pk=offer.pk)


@transaction.atomic
def answer_offer(
    ctx: AuditContext,
    offer: ApartmentOffer,
    accepted: bool,
    answered_on: date,
    decline_reason: str = "",
    note: str = "",
    *,
    version: int,
) -> ApartmentOffer:
    """Record the client's answer. Accepted: the move-in is planned for the
    offer's move-in day. Declined: the reason is required and goes to the
    IVO offers log with the note; the decision stays non-executed."""
    current = _locked_offer(offer)
    note = (note or "").strip()[:300]

    def check(stored: ApartmentOffer) -> None:
        if stored.state != OfferState.PENDING:
            raise OfferError(
                _("The offer has already been answered or withdrawn (%(state)s).")
                % {"state": stored.get_state_display().lower()}, code="answered",
            )
        if answered_on is None:
            raise OfferError(_("Give the day of the answer."), code="no_date", field="answered_on")
        if answered_on < stored.offered_on:
            raise OfferError(
                _("The answer cannot be before the offer date (%(date)s).") % {"date": _day(stored.offered_on)},
                code="before_offer", field="answered_on",
            )
        if answered_on > timezone.localdate():
            raise OfferError(_("The answer date cannot be in the future."), code="future", field="answered_on")
        if not accepted and decline_reason not in OfferDeclineReason.values:
            raise OfferError(_("Choose why the offer was declined."), code="no_reason", field="decline_reason")

    current.state = OfferState.ACCEPTED if accepted else OfferState.DECLINED
    current.answered_on = answered_on
    current.decline_reason = "" if accepted else decline_reason
    if note:
        current.note = note
    saved = save_tracked(
        ctx, current, ANSWER_FIELDS, expected_version=version,
        stored=ApartmentOffer.objects.all(), check=check, update_fields=ANSWER_FIELDS,
    ).record
    if accepted:
        _write_ivo(ctx, saved, answer=OfferAnswer.ACCEPTED, decline_reason="")
        _tell_accepted(ctx, saved)
    else:
        _write_ivo(ctx, saved, answer=OfferAnswer.DECLINED, decline_reason=decline_reason, note=note)
    return saved


def _tell_accepted(ctx: AuditContext, offer: ApartmentOffer) -> None:
    """An accepted offer waits for its move-in: tell who registers it, the
    client's responsible case officer and the apartment's housing
    administrators (not the user who recorded the answer), in the app and
    by e-mail after commit. The text names the offer by number only, never
    the person, the apartment or the day: it leaves the system by e-mail
    (accounts.notifications). For a person with protected personal data
    only those who may see where they live are told: the offer's page,
    which the link opens, puts the person beside the apartment."""
    from .moves import housing_admins_of  # moves imports this module

    apartment = Apartment.objects.get(pk=offer.apartment_id)
    client = offer.decision.client
    users = [client.responsible_officer, *housing_admins_of(apartment, ctx)]
    users = [user for user in users if user is not None and (ctx.user is None or user.pk != ctx.user.pk)]
    if protection.is_protected(client):
        users = [user for user in users if protection.sees_every_tenant(user)]
    notify_many(
        users, _("Offer #%(number)s was accepted: register the move-in") % {"number": offer.pk},
        reverse("tenancies:offer_detail", args=[offer.pk]),
    )


@transaction.atomic
def withdraw_offer(ctx: AuditContext, offer: ApartmentOffer, reason: str, *, version: int) -> ApartmentOffer:
    """The unit takes the offer back (the apartment is needed otherwise,
    the decision changed). The apartment is free to offer again; the IVO
    offers log keeps the offer, unanswered, with why it was withdrawn."""
    current = _locked_offer(offer)
    reason = (reason or "").strip()[:250]

    def check(stored: ApartmentOffer) -> None:
        if stored.state not in OfferState.open_states():
            raise OfferError(_("Only an open offer can be withdrawn."), code="closed")
        if not reason:
            raise OfferError(_("Write why the offer is withdrawn."), code="no_reason", field="reason")

    current.state = OfferState.WITHDRAWN
    current.note = reason
    saved = save_tracked(
        ctx, current, ["state", "note"], expected_version=version,
        stored=ApartmentOffer.objects.all(), check=check, update_fields=["state", "note"],
    ).record
    _write_ivo(ctx, saved, answer=OfferAnswer.NO_ANSWER, note=_("Withdrawn: %(reason)s") % {"reason": reason})
    return saved


def _withdraw_others(ctx: AuditContext, tenancy: Tenancy) -> None:
    """Someone else moved in: an open offer of the apartment to another
    person can no longer be kept, and would hold the apartment when it is
    empty again (one open offer per apartment). It is withdrawn with the
    reason, so that the IVO offers log shows what happened to it."""
    others = (
        ApartmentOffer.objects.select_for_update()
        .filter(apartment_id=tenancy.apartment_id, state__in=OfferState.open_states())
        .exclude(decision__client_id=tenancy.client_id)
    )
    for other in others:
        withdraw_offer(ctx, other, _("The apartment was let to someone else."), version=other.version)


@transaction.atomic
def complete_for_tenancy(ctx: AuditContext, tenancy: Tenancy) -> ApartmentOffer | None:
    """The move-in happened: the open offer of the tenancy's apartment to
    the tenant becomes "moved in" (an offer not yet answered counts as
    accepted: the client moved in). Called by services.moves.move_in;
    returns the offer, or None when the move-in followed no offer."""
    offer = (
        ApartmentOffer.objects.select_for_update()
        .filter(apartment_id=tenancy.apartment_id, decision__client_id=tenancy.client_id)
        .filter(Q(state__in=OfferState.open_states()))
        .order_by("-offered_on", "-pk")
        .first()
    )
    _withdraw_others(ctx, tenancy)
    if offer is None:
        return None
    was_pending = offer.state == OfferState.PENDING
    before = snapshot(offer, ["state", "answered_on"])
    offer.state = OfferState.MOVED_IN
    if offer.answered_on is None:
        offer.answered_on = min(tenancy.start_date, timezone.localdate())
        if offer.answered_on < offer.offered_on:
            offer.answered_on = offer.offered_on
    saved = save_tracked(
        ctx, offer, ["state", "answered_on"], before=before, update_fields=["state", "answered_on"],
        expected_version=offer.version, note="offer: moved_in",
    ).record
    if was_pending:
        _write_ivo(ctx, saved, answer=OfferAnswer.ACCEPTED)
    return saved
