"""A draft for the demo bolots (accounts.drafts, issue 12 §4): opening the
visit form of one of their started orders shows "Ett osparat utkast från …
har återställts", as after a session that ended while they wrote."""

from django.urls import reverse

from accounts.models import Draft, User
from referrals.models import Order, OrderState

from .context import DemoContext

NOTES = "Pratade om hyran och om att söka fler lägenheter. Fortsätter nästa vecka:"


def seed(ctx: DemoContext) -> None:
    pilot = User.objects.filter(username="bolots").first()
    if pilot is None or Draft.objects.filter(user=pilot).exists():
        return
    order = (
        Order.objects.filter(active_pilot=pilot, state__in=[OrderState.ACCEPTED, OrderState.IN_PROGRESS])
        .order_by("pk")
        .first()
    )
    if order is None:
        return
    key = f"{reverse('bolots:visit_create', args=[order.pk])}#VisitForm"
    Draft.objects.create(user=pilot, key=key, data={"notes": NOTES})
    ctx.log(f"Ett utkast till besöksanteckning för demoanvändaren bolots (uppdrag #{order.pk}).")
