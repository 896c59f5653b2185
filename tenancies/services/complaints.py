"""Complaints and damage logged on an apartment, linked to the tenancy
running on their date, and the action taken on them. Each write runs in one
transaction with its audit entries; a complaint during a running tenancy is
told to the tenant's case officer at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from accounts.models import User
    from audit.context import AuditContext

    from ..models import Apartment

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notify_many
from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from referrals import protection

from ..models import Complaint, ComplaintKind, Tenancy
from .apartments import ApartmentError


def tenancy_on(apartment: Apartment, day: date) -> Tenancy | None:
    """The tenancy of `apartment` running on `day` (or None)."""
    return (
        Tenancy.objects.filter(apartment=apartment)
        .held_on(day)
        .select_related("client__responsible_officer", "decision__decided_by")
        .order_by("-start_date")
        .first()
    )


def complaint_text(complaint: Complaint) -> str:
    """The notification text: names the apartment, never the person. It goes
    to the tenant's case officer, so for a protected tenant it names no
    apartment either (the officer knows whose tenancy it is: together they
    would say where the client lives; referrals.protection)."""
    tenancy = complaint.tenancy
    if tenancy is not None and protection.is_protected(tenancy.client):
        if complaint.kind == ComplaintKind.DAMAGE:
            return _("New damage during the tenancy of a client of yours")
        return _("New complaint during the tenancy of a client of yours")
    if complaint.kind == ComplaintKind.DAMAGE:
        return _("New damage on apartment %(number)s") % {"number": complaint.apartment.object_number}
    return _("New complaint on apartment %(number)s") % {"number": complaint.apartment.object_number}


def officers_to_tell(tenancy: Tenancy) -> list[User]:
    """Who hears of a complaint during `tenancy`: the tenant's responsible
    case officer; without one (or when that account is closed), the case
    officer who made the decision the move-in executed. Somebody must hear
    of it without delay."""
    candidates = [tenancy.client.responsible_officer, tenancy.decision.decided_by if tenancy.decision_id else None]
    officer = next((user for user in candidates if user is not None and user.is_active), None)
    return [officer] if officer is not None else []


@transaction.atomic
def add_complaint(ctx: AuditContext, complaint: Complaint, *, today: date | None = None) -> Complaint:
    """Log a complaint or damage on `complaint.apartment`, linked to the
    tenancy running on its date. A complaint during a tenancy that still
    runs is told to the tenant's case officer at once."""
    today = today or timezone.localdate()
    if complaint.occurred_on > today:
        raise ApartmentError(_("The date cannot be in the future."), code="future", field="occurred_on")
    complaint.tenancy = tenancy_on(complaint.apartment, complaint.occurred_on)
    complaint.registered_by = ctx.user
    complaint.save()
    log_access(ctx, AccessAction.CREATE, complaint)
    tenancy = complaint.tenancy
    if tenancy is not None and (tenancy.end_date is None or tenancy.end_date >= today):
        recipients = [user for user in officers_to_tell(tenancy) if user.pk != ctx.user.pk]
        # A protected tenant's case officer is sent to the tenancy (the
        # client's side), not to the apartment.
        url = (reverse("tenancies:tenancy_detail", args=[tenancy.pk]) if protection.is_protected(tenancy.client)
               else reverse("tenancies:apartment_detail", args=[complaint.apartment_id]))
        notify_many(recipients, complaint_text(complaint), url)
    return complaint


@transaction.atomic
def update_complaint_action(
    ctx: AuditContext, complaint: Complaint, action_taken: str, *, expected_version: int | None,
) -> Complaint:
    """Record the action taken on a complaint. `expected_version` is the
    complaint's version the user's form was opened with: if someone saved
    meanwhile, ConcurrentEditError (their words are not overwritten unseen)."""
    stored = Complaint.objects.select_for_update(of=("self",)).select_related("tenancy__client").get(pk=complaint.pk)
    if stored.action_taken == action_taken and stored.version == expected_version:
        # Saved as it stands: nothing to write, no history, no log row.
        return stored
    before = snapshot(stored, ["action_taken"])
    stored.action_taken = action_taken
    save_tracked(ctx, stored, ["action_taken"], expected_version=expected_version, before=before,
                 update_fields=["action_taken"], note="action_taken")
    complaint.action_taken, complaint.version = stored.action_taken, stored.version
    return stored
