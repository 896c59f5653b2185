"""The current tenancy on the client's overview (referrals.client_summaries).

Which apartment a protected client lives in is address data: without the
permission the box says the apartment is not shown, by the one rule in
referrals.protection. One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from referrals.client_summaries import SummaryLine
from referrals.protection import HIDDEN_APARTMENT_LABEL, may_see_whereabouts

from .models import Tenancy

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from referrals.models import Client


def current_tenancy(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    tenancy = (
        Tenancy.objects.visible_to(user).active().filter(client=client)
        .select_related("apartment").order_by("-start_date", "-pk").first()
    )
    if tenancy is None:
        return [SummaryLine(_("No current tenancy"))]
    since = _("since %(day)s") % {"day": f"{tenancy.start_date:%Y-%m-%d}"}
    if not may_see_whereabouts(user, client):
        return [SummaryLine(f"{HIDDEN_APARTMENT_LABEL}, {since}")]
    apartment = tenancy.apartment
    return [SummaryLine(f"{apartment.get_kind_display()}: {apartment.street_address}, {since}")]
