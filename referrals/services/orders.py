"""Orders to the bolots unit: sending and the lifecycle transitions.

Every transition runs in one transaction: the state change, an OrderEvent,
the access-log row and the notification of the other side (in the app at
once; by e-mail after commit).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify_many
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access

from ..models import OrderEvent, OrderState


class InvalidTransition(Exception):
    """The order is not in a state that allows this step; the message is
    Swedish and fit for the user."""


def order_url(order):
    return reverse("referrals:order_detail", args=[order.pk])


def unit_pilots(unit_id):
    return User.objects.with_role(Role.PILOT).filter(unit_id=unit_id)


def record_event(ctx, order, transition, text=""):
    return OrderEvent.objects.create(order=order, by=ctx.user, transition=transition, text=text)


@transaction.atomic
def send_order(ctx, order):
    """Send a new order to the bolots unit of the case officer's unit.

    `order` is unsaved, with its kind, person, assignment and risks filled
    in. The 48-hour deadline of outreach and eviction-prevention orders is
    set from the sending time (Order.save).
    """
    order.unit_id = order.unit_id or ctx.user.unit_id
    order.ordered_by = order.ordered_by if order.ordered_by_id else ctx.user
    order.state = OrderState.SENT
    order.sent_at = timezone.now()
    order.first_visit_due_at = None
    order.save()
    record_event(ctx, order, OrderEvent.Transition.SENT)
    log_access(ctx, AccessAction.CREATE, order)
    notify_many(
        unit_pilots(order.unit_id),
        _("New order #%(number)s: %(kind)s") % {"number": order.pk, "kind": order.get_kind_display()},
        order_url(order),
    )
    return order
