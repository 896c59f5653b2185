from django import template

register = template.Library()


@register.filter
def contact_visible(client, user):
    """{% if client|contact_visible:user %}: may the user see the address and phone?"""
    return client.contact_visible_to(user)
