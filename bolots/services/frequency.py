"""Changing an order's visit frequency (FrequencyChange), and who may.

The rules themselves are in bolots/frequency.py (check_change); this module
adds who may change it, on which orders, and writes the record, the access
log and the notification in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notify_many
from audit.models import AccessAction
from audit.services import log_access
from core.rules import RuleError
from referrals.models import Order, OrderState
from referrals.services.orders import is_unit_case_officer

from .. import frequency
from ..models import FrequencyChange

if TYPE_CHECKING:
    from datetime import date

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext

REASON_MAX_LENGTH = FrequencyChange._meta.get_field("reason").max_length


class FrequencyChangeRefused(RuleError):
    """The rules refuse the change; the message is Swedish and for the user."""


def support_start(order: Order) -> date | None:
    """The day the order's support started: the local date it was accepted
    (None while it has not been)."""
    return timezone.localdate(order.accepted_at) if order.accepted_at else None


def may_change_frequency(user: User, order: Order) -> bool:
    """One of the order's two bolotsar, or a case officer of the order's
    unit, while the order is accepted or in progress.

    Case officers have no bolots.add_frequencychange (accounts.roles): the
    unit's case officers are recognised by referrals.change_order, as in
    referrals.services.orders.is_unit_case_officer.
    """
    if order.state not in OrderState.active_states():
        return False
    if not (user.is_authenticated and user.is_active and user.unit_id == order.unit_id):
        return False
    if order.is_assigned_to(user) and user.has_perm("bolots.add_frequencychange"):
        return True
    return is_unit_case_officer(user, order)


def history(order: Order) -> QuerySet[FrequencyChange]:
    """The order's frequency changes, the one taking effect last first."""
    return FrequencyChange.objects.filter(order=order).select_related("changed_by").order_by("-changed_on", "-id")


@transaction.atomic
def change_frequency(ctx: AuditContext, order: Order, interval: str, changed_on: date, reason: str) -> FrequencyChange:
    """Record that `order`'s look-ins are `interval` from `changed_on`, and why.

    Refused (FrequencyChangeRefused, Swedish) for an interval less often than
    monthly or unknown, a date before the support started, a lower frequency
    taking effect within the first three months, or no reason. The order is
    re-read under a row lock so that the state and start checked are the
    current ones.
    """
    order = Order.objects.select_for_update(of=("self",)).select_related("ordered_by").get(pk=order.pk)
    if not may_change_frequency(ctx.user, order):
        raise PermissionDenied(_("You may not change the visit frequency of this order."))
    reason = (reason or "").strip()
    if not reason:
        raise FrequencyChangeRefused(_("Write why the frequency is changed."), code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise FrequencyChangeRefused(
            _("The reason may be at most %(max)s characters long.") % {"max": REASON_MAX_LENGTH}, code="reason"
        )
    try:
        interval = frequency.check_change(support_start(order), changed_on, interval)
    except frequency.FrequencyRuleError as refusal:
        raise FrequencyChangeRefused(str(refusal), code="rule") from None
    change = FrequencyChange.objects.create(
        order=order, interval=interval, changed_on=changed_on, reason=reason, changed_by=ctx.user
    )
    # Logged on the order: it names the client, or the person of an order
    # without a client file, so that log review finds the change.
    log_access(
        ctx, AccessAction.UPDATE, order,
        note=f"frequency_change {change.pk}: {interval} from {changed_on.isoformat()}",
    )
    others = [user for user in (order.ordered_by, order.active_pilot, order.passive_pilot)
              if user is not None and user.pk != ctx.user.pk]
    # The text is e-mailed: it names the order, never the person.
    notify_many(
        others,
        _("The visit frequency of order #%(number)s has been changed") % {"number": order.pk},
        reverse("bolots:order_frequency", args=[order.pk]),
    )
    return change
