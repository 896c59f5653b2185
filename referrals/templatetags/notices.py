"""Template helpers for eviction notices: deadlines in words."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def days_left(days):
    """{{ days|days_left }}: '5 dagar kvar', 'i dag', 'passerat för 2 dagar sedan'.

    The words carry the meaning; colour only repeats it (WCAG 1.4.1)."""
    if days is None or days == "":
        return ""
    days = int(days)
    if days > 0:
        return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
    if days == 0:
        return _("due today")
    return ngettext("passed %(n)s day ago", "passed %(n)s days ago", -days) % {"n": -days}


@register.filter
def urgency_class(days):
    """A Bootstrap text class that repeats what days_left says."""
    if days is None or days == "":
        return ""
    days = int(days)
    if days < 0:
        return "text-danger fw-semibold"
    if days <= 7:
        return "text-warning-emphasis fw-semibold"
    return ""
