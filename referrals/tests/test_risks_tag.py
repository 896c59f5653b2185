"""{% risks_compact %} (referrals/templatetags/risks.py): the risk flags of an
order or a client in list rows and on Min dag, built from fragments kept per
language. Unsaved instances: the tag reads only the record's fields."""

import re

from django.template import Context, Template
from django.utils import translation

from referrals.models import Client, Order


def render(record) -> str:
    return Template("{% load risks %}{% risks_compact record %}").render(Context({"record": record}))


def test_each_flag_is_an_icon_and_a_word_in_the_fields_order_and_notes_never_leave_their_field():
    order = Order(risk_children=True, risk_violence=True, risk_notes="Grannen Kalle Fiktiv hotar")
    html = render(order)
    # In the order of the flags (violence before children), each with the
    # field's full wording on hover and a short word beside the icon.
    items = re.findall(r'<li class="risk (risk-[a-z_]+)" title="([^"]*)">', html)
    assert items == [("risk-risk_violence", "Våld i nära relation"), ("risk-risk_children", "Barn i hemmet")]
    assert "<span>Våld</span>" in html and "<span>Barn</span>" in html
    # Notes are announced, never shown: they may name people.
    assert '<li class="risk risk-other">' in html and "<span>Övriga risker</span>" in html
    assert "Kalle" not in html
    assert html.startswith('<ul class="risk-compact') and 'aria-label="Riskinformation"' in html
    assert html.endswith("</ul>")
    assert html.count('aria-hidden="true"') == 3  # the icons say nothing to a screen reader


def test_a_record_without_flags_or_notes_says_so_in_words():
    assert render(Order()) == '<span class="small">Inga kända risker</span>'
    # Notes alone are a risk.
    html = render(Client(risk_notes="x"))
    assert "risk-other" in html and "Inga kända risker" not in html and 'class="risk risk-risk' not in html


def test_a_client_shows_the_same_flags_as_an_order():
    flags = {"risk_animals": True, "risk_substance_use": True, "risk_threats": True}
    assert render(Client(**flags)) == render(Order(**flags))


def test_the_kept_fragments_follow_the_active_language():
    order = Order(risk_animals=True)
    assert "<span>Djur</span>" in render(order)
    with translation.override("en"):
        english = render(order)
    assert "<span>Animals</span>" in english and 'title="Animals in the home"' in english
    assert "<span>Djur</span>" in render(order)
