"""{% load protection %}: the templates' side of referrals.protection.

Templates never test protection levels or permissions themselves; they ask
these, so the rule stays in one place."""

from django import template

from .. import protection

register = template.Library()


@register.filter
def whereabouts_visible(client, user):
    """{% if client|whereabouts_visible:user %}: may the user see where the
    client lives (address, phone, which apartment)?"""
    return protection.may_see_whereabouts(user, client)


@register.filter
def tenant_visible(tenancy, user):
    """{% if tenancy|tenant_visible:user %}: may an apartment page name this
    tenancy's tenant and show its dates?"""
    return not protection.tenant_hidden(user, tenancy)


@register.filter
def apartment_visible(tenancy, user):
    """{% if tenancy|apartment_visible:user %}: may a page about the client
    show which apartment this tenancy is in?"""
    return not protection.apartment_hidden(user, tenancy)


@register.simple_tag
def tenancy_side(tenancy, user):
    """{% tenancy_side tenancy user as side %}: "both", "client" or
    "apartment" (see referrals.protection.tenancy_side)."""
    return protection.tenancy_side(user, tenancy)


@register.simple_tag
def protected_tenant_label():
    return protection.PROTECTED_TENANT_LABEL


@register.simple_tag
def hidden_apartment_label():
    return protection.HIDDEN_APARTMENT_LABEL


@register.filter
def tenant_name(tenancy, user):
    """The tenant of a tenancy page as `user` may see them: the name, or on
    the apartment's side of a protected tenancy the protected-tenant label."""
    if protection.tenancy_side(user, tenancy) == "apartment":
        return protection.PROTECTED_TENANT_LABEL
    return tenancy.client.full_name
