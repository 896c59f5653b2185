from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import mark_safe

from .. import decision_panels as decision_registry
from .. import order_panels as order_registry
from ..client_tabs import tabs_for

if TYPE_CHECKING:
    from accounts.models import User

register = template.Library()


@register.filter
def contact_visible(client, user):
    """{% if client|contact_visible:user %}: may the user see the address and phone?"""
    return client.contact_visible_to(user)


def _user(context: template.Context) -> "User | None":
    """The user whose permissions the page's `perms` checks (None when the
    template is rendered without it: then only tabs and panels without a
    permission are shown, as `perms.…` would have been empty)."""
    perms = context.get("perms")
    return getattr(perms, "user", None)


@register.simple_tag(takes_context=True)
def client_tabs(context: template.Context, client, tab: str) -> list[dict]:
    """{% client_tabs client tab as tabs %}: the tabs of the client's file the
    apps have registered (referrals.client_tabs), for the user of `perms`."""
    return tabs_for(_user(context), client, tab)


@register.simple_tag(takes_context=True)
def order_panels(context: template.Context, slot: str) -> str:
    """{% order_panels "slot" %}: the panels higher apps registered for this
    place of the order page (referrals.order_panels), each rendered like an
    include. A panel template's final newline is dropped, so that a panel
    can sit inside a line of text."""
    return _render_panels(context, order_registry, context["order"], slot)


@register.simple_tag(takes_context=True)
def decision_panels(context: template.Context, slot: str) -> str:
    """{% decision_panels "slot" %}: the panels higher apps registered for this
    place of the decision page (referrals.decision_panels), rendered as
    order_panels renders the order page's."""
    return _render_panels(context, decision_registry, context["decision"], slot)


def _render_panels(context: template.Context, registry, record, slot: str) -> str:
    """Each panel of `registry` (order_panels or decision_panels) in `slot`
    that the user may see, rendered like an include with what its context
    provider adds for `record`."""
    parts = []
    for panel in registry.panels_in(slot, _user(context)):
        panel_template = context.template.engine.get_template(panel["template"])
        with context.push(registry.extra_context(panel, context.get("request"), record)):
            parts.append(panel_template.render(context).removesuffix("\n"))
    return mark_safe("".join(parts))  # each part is a rendered (autoescaped) template
