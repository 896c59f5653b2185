"""`{% load oidc %}{% oidc_configured as x %}`: registered as a template
library in settings (block "issue 16 oidc"), so that the login page shows the
provider's button only where a provider is configured."""

from django import template

from . import config

register = template.Library()


@register.simple_tag
def oidc_configured() -> bool:
    return config.is_configured()
