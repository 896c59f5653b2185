from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from core.formatting import display_value

from ..kpis.result import met_label

register = template.Library()


@register.filter
def kpi_value(value, kind="count"):
    """A KPI value the Swedish way by its kind: {{ kpi.value|kpi_value:kpi.kind }}."""
    return display_value(value, kind)


@register.filter
def met_text(met):
    return met_label(met)


@register.simple_tag
def figure_link(value, kind, key, year, label):
    """A KPI value, linked to the records behind it when there is such a
    list: {% figure_link kpi.value kpi.kind kpi.drilldown year kpi.goal %}.

    A tag rather than an included template: the goal dashboard shows about
    120 figures, and an include per figure (a context pushed, the template
    looked up, a translation block rendered) was a third of the page's CPU
    under load (issue 16, docs/performance.md)."""
    shown = display_value(value, kind)
    if not key or value is None:
        return shown
    return format_html(
        '<a href="{}">{}<span class="visually-hidden"> – {}</span></a>',
        reverse("reports:drilldown", args=[year, key]),
        shown,
        # Written as in the template it replaced, so that the translation stays the same.
        gettext("records behind “%(label)s” %(year)s") % {"label": label, "year": year},
    )
