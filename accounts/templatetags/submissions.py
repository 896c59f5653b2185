"""{% submit_token %}: the hidden single-use token of a create form
(accounts.submissions). A form shown again after a refused POST keeps the
token it was sent with, so its next send is still the same submission."""

from django import template
from django.utils.html import format_html

from ..submissions import FIELD_NAME, new_token, posted_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submit_token(context):
    request = context.get("request")
    token = (posted_token(request) if request is not None else None) or new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, token)
