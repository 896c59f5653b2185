"""Drafts on referrals' forms (accounts.drafts, issue 12 §4): the order's
report back (a step form that posts to another URL than its page), and the
edit of a decision, whose restored draft keeps the version it was written
on, so that a change by someone else meanwhile is a conflict, not a silent
overwrite."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.drafts import services
from accounts.models import Draft
from referrals.models import Decision, Order, OrderKind, OrderOutcome, OrderState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory
from referrals.tests.factories_orders import accepted_order

from .test_decision_views import edit_data

pytestmark = pytest.mark.django_db

TOKEN_VALUE = re.compile(r'name="_draft" value="([^"]+)"')


def tokens_of(response, user):
    values = TOKEN_VALUE.findall(response.content.decode())
    return {token.key.split("#")[1]: token for token in (services.read_token(v, user) for v in values)}


def autosave(client, token, values):
    """What drafts.js posts."""
    response = client.post(reverse("accounts:draft_save"), {"_draft": token, **values})
    assert response.status_code == 200


@pytest.fixture
def ongoing(unit, case_officer, pilot, second_pilot):
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    return accepted_order(pilot, second_pilot, client=person, ordered_by=case_officer,
                          kind=OrderKind.EVICTION_PREVENTION, state=OrderState.IN_PROGRESS,
                          sent_at=timezone.now() - timedelta(days=30))


def test_the_report_back_is_restored_on_the_order_page_and_deleted_when_sent(client, pilot, ongoing):
    page = reverse("referrals:order_detail", args=[ongoing.pk])
    client.force_login(pilot)
    tokens = tokens_of(client.get(page), pilot)
    complete = tokens["complete"]
    assert complete.page == page and complete.fields == ("complete-outcome", "complete-report")
    autosave(client, token_value := services.make_token(pilot, page, _complete_form(ongoing)),
             {"complete-report": "Avbetalningsplan klar med hyresvärden."})

    html = client.get(page).content.decode()
    assert "Avbetalningsplan klar med hyresvärden." in html
    assert "Ett osparat utkast från" in html

    # A refused report (no outcome) is shown at the step's URL: the token
    # still names the order page, so the draft is the same.
    step = reverse("referrals:order_step", args=[ongoing.pk, "slutfor"])
    response = client.post(step, {"complete-version": ongoing.version, "complete-report": "Mer text.",
                                  "_draft": token_value})
    assert response.status_code == 200
    assert tokens_of(response, pilot)["complete"].key == complete.key
    assert Draft.objects.filter(user=pilot, key=complete.key).exists()

    response = client.post(step, {"complete-version": ongoing.version, "complete-outcome": OrderOutcome.REPAYMENT_PLAN,
                                  "complete-report": "Klart.", "_draft": token_value})
    assert response.status_code == 302
    assert Order.objects.get(pk=ongoing.pk).state == OrderState.COMPLETED
    assert not Draft.objects.exists()


def _complete_form(order):
    from referrals.forms.orders import CompleteForm

    return CompleteForm(prefix="complete", order=order)


def test_an_outsider_gets_no_token_and_sees_no_draft_on_the_order(client, outside_officer, ongoing):
    page = reverse("referrals:order_detail", args=[ongoing.pk])
    Draft.objects.create(user=outside_officer, key=f"{page}#complete", data={"complete-report": "Utkast"})
    client.force_login(outside_officer)

    response = client.get(page)

    assert response.status_code == 404
    assert "_draft" not in response.content.decode()


def test_a_restored_decision_draft_keeps_its_version_so_a_later_change_is_a_conflict(client, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    url = reverse("referrals:decision_edit", args=[decision.pk])
    client.force_login(case_officer)
    token = tokens_of(client.get(url), case_officer)["DecisionForm"]
    assert token.fields == ("reasoning", "version")
    autosave(client, TOKEN_VALUE.findall(client.get(url).content.decode())[0],
             {"reasoning": "Mitt utkast", "version": str(decision.version)})

    # Someone else saves the decision meanwhile.
    Decision.objects.filter(pk=decision.pk).update(reasoning="Kollegans ändring", version=decision.version + 1)

    response = client.get(url)
    form = response.context["form"]
    assert form["reasoning"].value() == "Mitt utkast"
    assert str(form["version"].value()) == str(decision.version)

    decision.refresh_from_db()
    response = client.post(url, edit_data(decision, reasoning="Mitt utkast", version=form["version"].value()))
    html = response.content.decode()
    assert "Någon annan sparade beslutet medan du redigerade" in html
    decision.refresh_from_db()
    assert decision.reasoning == "Kollegans ändring"
