"""{% risks_compact record %}: the risk information of an order or a client
in a list row, the unaccepted queue or Min dag: an icon and a short word per
risk (the full wording on hover), never colour alone. The text of "other
risks" is left out here: it may name people.

A tag rather than an included template because the lists show it on every
row: the include cost about 0.3 M instructions per row (an if-chain of
five icons and words, each word a gettext), the tag a dictionary lookup per
flag. The markup of each flag depends only on the flag and the language, so
it is built once per language and process (docs/performance.md, "CPU per
page").
"""

from __future__ import annotations

from functools import cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models.risks import RISK_FLAGS

register = template.Library()

# The icon of each flag (16 × 16, aria-hidden: the word beside it says it).
_ICONS = {
    "risk_animals": "M4.5 6a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3m7 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3M2 9.5a1.5 1.5 0 "
                    "1 1 0-3 1.5 1.5 0 0 1 0 3m12 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3M8 8c2 0 4 2.5 4 4.5 0 1.5-1.5 "
                    "1.5-2.5 1-1-.4-2-.4-3 0-1 .5-2.5.5-2.5-1C4 10.5 6 8 8 8",
    "risk_substance_use": "M6 1h4v1H9v4.3l4.7 7.2A1 1 0 0 1 12.9 15H3.1a1 1 0 0 1-.8-1.5L7 6.3V2H6zm2 6L5 11.5h6z",
    "risk_violence": "M8 1 1 14h14zm0 4 .7 5H7.3zm0 6.5a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8",
    "risk_children": "M8 1a2 2 0 1 1 0 4 2 2 0 0 1 0-4M5 6h6l-1 4v5H9v-4H7v4H6v-5z",
    "risk_threats": "M8 0 1 3v5c0 4 3 7 7 8 4-1 7-4 7-8V3zm-.8 4h1.6l-.3 5.5H7.5zM8 11a1 1 0 1 1 0 2 1 1 0 0 1 0-2",
}
_OTHER_ICON = "M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1m-.8 3v5h1.6V4zM8 10.5a1 1 0 1 0 0 2 1 1 0 0 0 0-2"
_SVG = '<svg class="risk-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="{}"/></svg>'


def _words() -> dict[str, str]:
    # Short words for a narrow row; the title carries the field's full wording.
    return {
        "risk_animals": _("Animals"),
        "risk_substance_use": _("Substance use"),
        "risk_violence": _("Violence"),
        "risk_children": _("Children"),
        "risk_threats": _("Threats"),
    }


@cache
def _fragments(language: str | None) -> dict[str, SafeString]:
    """{flag: its <li>, "": the list's opening tag, "other": the "other
    risks" item, "none": the words for no risks}, in `language` (the
    active one when called: the cache key only tells the languages apart)."""
    from ..models import Order

    words = _words()
    fragments = {
        name: format_html(
            '<li class="risk risk-{}" title="{}">' + _SVG + "<span>{}</span></li>",
            name, capfirst(Order._meta.get_field(name).verbose_name), _ICONS[name], words[name],
        )
        for name in RISK_FLAGS
    }
    fragments[""] = format_html(
        '<ul class="risk-compact list-unstyled mb-0 d-flex flex-wrap gap-2 small" aria-label="{}">',
        _("Risk information"),
    )
    fragments["other"] = format_html('<li class="risk risk-other">' + _SVG + "<span>{}</span></li>",
                                     _OTHER_ICON, _("Other risks"))
    fragments["none"] = format_html('<span class="small">{}</span>', _("No known risks"))
    return fragments


@register.simple_tag
def risks_compact(record) -> SafeString:
    """The record's flags (an Order or a Client: the same field names,
    referrals.models.risks), then "other risks" when it has notes."""
    fragments = _fragments(get_language())
    flags = [name for name in RISK_FLAGS if getattr(record, name)]
    notes = bool(record.risk_notes)
    if not flags and not notes:
        return fragments["none"]
    items = format_html_join("", "{}", ((fragments[name],) for name in flags))
    return format_html("{}{}{}</ul>", fragments[""], items, fragments["other"] if notes else "")
