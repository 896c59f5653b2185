"""The `ui` template library: Swedish number formats in templates.

    {% load ui %}
    {{ amount|kr }}  {{ count|number }}  {{ share|percent }}  {{ mean|number:1 }}
    {{ apartment|choice_label:"kind" }}   (get_kind_display, for list rows)

The formats themselves are core.formatting's, so a page, a PDF and a chart
read the same.
"""

import functools

from django import template
from django.utils.translation import get_language

from core import formatting

register = template.Library()

register.filter("number", formatting.number)
register.filter("kr", formatting.kr)
register.filter("percent", formatting.percent)


def forms_with_errors(context) -> list:
    """The forms of a page that failed to save, for the error summary.

    The view's `form` (on any request, as before), then on a POST every
    other bound form or formset in the context with errors: pages with
    several forms name them otherwise (`move_out_form`, `outcome_form`,
    `end_form`…), and a page may list them in `error_summary_forms`. Only
    POSTs for the others: a filter form bound to a GET query is not a failed
    save. Formsets give their forms (and a form for their own errors)."""
    from django.forms import BaseForm
    from django.forms.formsets import BaseFormSet

    request = context.get("request")
    candidates = [context.get("form")]
    if request is not None and request.method == "POST":
        candidates += list(context.get("error_summary_forms") or ())
        candidates += list(context.flatten().values())
    found, seen = [], set()
    for candidate in candidates:
        members = []
        if isinstance(candidate, BaseFormSet) and candidate.is_bound:
            members = list(candidate.forms)
            if candidate.non_form_errors():
                found.append({"non_field_errors": candidate.non_form_errors(), "fields": []})
        elif isinstance(candidate, BaseForm):
            members = [candidate]
        for form in members:
            if id(form) in seen or not form.is_bound or not form.errors:
                continue
            seen.add(id(form))
            found.append({
                "non_field_errors": form.non_field_errors(),
                "fields": [field for field in form if field.errors],
            })
    return found


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context):
    """{% error_summary %} in base.html: one summary for every form on the
    page that failed to save (forms_with_errors), or nothing."""
    return {"forms": forms_with_errors(context)}


@functools.cache
def _choice_labels(field, language: str | None) -> dict:
    """{stored value: its label, translated} of a field with choices, per
    language (the cache key only tells the languages apart; the labels are
    translated into the active one when first asked for)."""
    return {value: str(label) for value, label in field.flatchoices}


@register.filter
def choice_label(record, name: str):
    """{{ apartment|choice_label:"kind" }}: what {{ apartment.get_kind_display }}
    shows (a value that is not a choice is shown as stored), for list rows.
    get_FOO_display() rebuilds and translates the field's whole list of
    choices on every call; on a list of 25 rows with three such columns
    that was about a tenth of the page's CPU (docs/performance.md, "CPU per
    page"). The labels are read once per field and language instead."""
    field = record._meta.get_field(name)
    value = getattr(record, field.attname)
    return _choice_labels(field, get_language()).get(value, value)
