from django import template

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
