"""Protected identities: the one rule for "where does this person live".

For a client with protected personal data (all three levels of
`ProtectionLevel`: sekretessmarkering, skyddad folkbokföring, fingerade
personuppgifter) *which apartment* they live in is address data. A user
without `referrals.view_protected_client` must never see the person and an
apartment connected, from either side:

- whatever names the client (their pages, tenancy pages, decision and order
  notes, notifications, exports, drill-downs) shows no apartment identifier:
  address, object number, apartment id or link, landlord, floor, key tag;
- whatever shows an apartment (apartment list and page, timeline, keys,
  complaints, import preview) shows no protected tenant: "tenant with
  protected personal data", without name, identity number or the dates of
  the tenancy (which the client's own tab shows, so they would connect the
  two).

For fingerade personuppgifter the client record holds the assumed identity
(that is what the unit is given); the real one is never stored, so every
page shows the assumed one.

Every view and template asks `may_see_whereabouts` (or the helpers and the
`{% load protection %}` tags built on it); nothing else decides. The rule is
documented in docs/access.md ("Protected identities").

The single exception (issue 12 §3) lives in `_exception_applies`: the two
bolotsar assigned to an accepted (or started) order may see the client's
address and phone on that order's visit pages, and nowhere else: they go
there every week and cannot do so without it. Only those pages pass
`context=VisitPageContext(order)`, and they go through `visit_page_address`,
which also writes the access-log row that says the protected address was
shown (`PROTECTED_ADDRESS_OBJECT_TYPE`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access

from .apps import ReferralsConfig
from .models.clients import ProtectionLevel
from .models.orders import OrderState

if TYPE_CHECKING:
    from audit.context import AuditContext

# Declared on the AppConfig, where accounts' user administration finds it.
PROTECTED_PERMISSION = ReferralsConfig.protected_data_permission

# What an apartment page says instead of a protected tenant's name.
PROTECTED_TENANT_LABEL = _("Tenant with protected personal data")
# What a page about the client says instead of the apartment.
HIDDEN_APARTMENT_LABEL = _("Apartment not shown: protected personal data")


@dataclass(frozen=True)
class VisitPageContext:
    """Where the one exception may apply: the visit pages of `order`.

    Passed only by the visit pages (through `visit_page_address`); no list,
    card, export, PDF or other page may build one."""

    order: object


# The access-log record type of a row that says "the protected address was
# shown on a visit page" (the log review filters and labels it; see
# docs/access.md, "The one exception").
PROTECTED_ADDRESS_OBJECT_TYPE = "referrals.client.protected_address"


def is_protected(client) -> bool:
    return client is not None and client.protection_level != ProtectionLevel.NONE


def may_see_address_for_visit(user, order) -> bool:
    """The exception's own rule: is `user` one of the two bolotsar (active or
    passive) assigned to `order` while it is accepted or in progress, still a
    bolots of the order's unit?

    Everything is read from the order and user as loaded for this request, so
    the right ends the moment the order ends or the bolots is replaced
    (reassignment changes the order's pilots) or loses the role."""
    if order is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    return (
        order.client_id is not None
        and order.is_assigned_to(user)
        and order.state in OrderState.active_states()
        and user.unit_id == order.unit_id
        and user.has_role(Role.PILOT)
    )


def _exception_applies(user, client, context) -> bool:
    """The one exception to the rule: on the visit pages of an order, for the
    client of that order, for its two assigned bolotsar. Any other context
    (None: every other page) grants nothing."""
    if not isinstance(context, VisitPageContext) or client is None:
        return False
    return context.order.client_id == client.pk and may_see_address_for_visit(user, context.order)


def may_see_whereabouts(user, client, *, context: VisitPageContext | None = None) -> bool:
    """May `user` see where `client` lives (address, phone and which
    apartment), and may an apartment page name `client` as its tenant?

    True for clients without protection, for users holding
    `referrals.view_protected_client` (given to named users, never a role),
    and where the single exception applies; false otherwise, and false for
    anonymous users."""
    if not is_protected(client):
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.has_perm(PROTECTED_PERMISSION):
        return True
    return _exception_applies(user, client, context)


def hides_whereabouts(user, client, *, context: VisitPageContext | None = None) -> bool:
    return not may_see_whereabouts(user, client, context=context)


def hidden_whereabouts(user, clients: Iterable) -> set[int]:
    """The ids of `clients` whose whereabouts `user` may not see (no query:
    the clients are already read)."""
    if user is not None and user.is_authenticated and user.has_perm(PROTECTED_PERMISSION):
        return set()
    return {client.pk for client in clients if client is not None and hides_whereabouts(user, client)}


def sees_every_tenant(user) -> bool:
    """May `user` see protected tenants named on apartment pages and lists?
    Only with the permission: the exception of issue 12 §3 is for visit pages,
    never for apartment pages."""
    return user is not None and user.is_authenticated and user.has_perm(PROTECTED_PERMISSION)


def tenant_hidden(user, tenancy) -> bool:
    """Seen from the apartment: must `tenancy`'s tenant (name, number and
    dates) be left out for `user`?"""
    return is_protected(tenancy.client) and not sees_every_tenant(user)


def apartment_hidden(user, tenancy) -> bool:
    """Seen from the client: must `tenancy`'s apartment be left out?"""
    return hides_whereabouts(user, tenancy.client)


def tenancy_side(user, tenancy) -> str:
    """Which half of a protected tenancy a tenancy page may show `user`.

    "both": the user may see where the tenant lives. Otherwise a user who may
    read client files (case officers, managers, the client's bolotsar) gets
    "client": the person and the dates, not the apartment; anyone else
    (housing administrators) gets "apartment": the apartment and its rent,
    the tenant as "tenant with protected personal data" and no dates."""
    if not tenant_hidden(user, tenancy):
        return "both"
    return "client" if user.has_perm("referrals.view_client") else "apartment"


def mask_timeline(user, periods) -> bool:
    """Blank the dates of every timeline period that would date a protected
    tenant's tenancy: the tenancy itself and the edges of the vacancies
    next to it (a vacancy ending the day before a move-in gives the move-in
    away). Sets `hidden`, `start_hidden` and `end_hidden` on each period;
    returns whether anything was blanked (the totals then give nothing away
    either and are left out). `periods` oldest first."""
    masked = False
    for period in periods:
        period.hidden = False
        period.start_hidden = False
        period.end_hidden = False
    for index, period in enumerate(periods):
        if period.is_vacancy or not tenant_hidden(user, period.tenancy):
            continue
        masked = True
        period.hidden = period.start_hidden = period.end_hidden = True
        if index > 0 and periods[index - 1].is_vacancy:
            periods[index - 1].end_hidden = True
        if index + 1 < len(periods) and periods[index + 1].is_vacancy:
            periods[index + 1].start_hidden = True
    return masked


def move_in_note() -> str:
    """The note a move-in writes on the decision it executes. It names no
    apartment: the note is read beside the client's name by everyone who
    may read the decision, and a client may become protected later."""
    return str(_("Move-in registered"))


@dataclass(frozen=True)
class VisitAddress:
    """What a visit page may show of where the client lives
    (templates/bolots/visits/_visit_address.html renders it).

    `shown`: the address and phone may be shown. `by_exception`: they are shown
    only because of the one exception; the page shows the protection banner
    and the view has been logged as a protected-address view."""

    client: object
    shown: bool
    protected: bool
    by_exception: bool


def visit_page_address(ctx: AuditContext, order) -> VisitAddress | None:
    """The address rule of a visit page of `order` (None: no client file,
    the order names no registered person). Writes one access-log row,
    record type PROTECTED_ADDRESS_OBJECT_TYPE, whenever the exception is what
    lets the address be shown, so that the log review finds every such view.

    Only the visit pages call this: it is the one place that builds a
    VisitPageContext."""
    client = order.client if order.client_id else None
    if client is None:
        return None
    protected = is_protected(client)
    shown = may_see_whereabouts(ctx.user, client, context=VisitPageContext(order))
    by_exception = protected and shown and not may_see_whereabouts(ctx.user, client)
    if by_exception:
        log_access(
            ctx, AccessAction.VIEW, client=client, object_type=PROTECTED_ADDRESS_OBJECT_TYPE,
            note=f"order #{order.pk}",
        )
    return VisitAddress(client=client, shown=shown, protected=protected, by_exception=by_exception)
