"""Drafts on the visit form (accounts.drafts, issue 12 §4): who gets a
draft token and sees a draft (anonymous, wrong role, outsider, another
bolots, the assigned bolots), restoring, deleting on save, keeping on a
refused save, and a save that reaches an ended session."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.drafts import services
from accounts.models import Draft
from bolots.models import Visit
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import visit_form_data

pytestmark = pytest.mark.django_db

NOTES = "Pratade om budgeten och hyran."
TOKEN = re.compile(r'name="_draft" value="([^"]+)"')


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    return accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                          kind=OrderKind.SINGLE_ERRAND, sent_at=timezone.now() - timedelta(days=10))


def form_url(order):
    return reverse("bolots:visit_create", args=[order.pk])


def key(order, form="VisitForm"):
    return f"{form_url(order)}#{form}"


def tokens_of(response):
    return TOKEN.findall(response.content.decode())


def test_the_assigned_bolots_gets_a_token_per_draft_form(client, pilot, order):
    client.force_login(pilot)

    response = client.get(form_url(order))

    visit_token, checklist_token = (services.read_token(value, pilot) for value in tokens_of(response))
    assert visit_token.key == key(order) and "notes" in visit_token.fields
    assert checklist_token.key == key(order, "checklist") and "checklist-notes" in checklist_token.fields
    assert "Ett osparat utkast" not in response.content.decode()


@pytest.mark.parametrize("who, status", [
    ("case_officer", 403), ("manager", 403), ("housing_admin", 403), ("outside_officer", 403), ("second_pilot", 404),
])
def test_no_token_and_no_draft_for_whoever_may_not_open_the_form(client, users, order, who, status):
    user = users[who]
    Draft.objects.create(user=user, key=key(order), data={"notes": NOTES})
    client.force_login(user)

    response = client.get(form_url(order))

    assert response.status_code == status
    assert not tokens_of(response)
    assert NOTES not in response.content.decode()


def test_anonymous_users_go_to_the_login(client, order):
    response = client.get(form_url(order))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_users_own_draft_is_restored_with_a_notice(client, pilot, third_pilot, order):
    Draft.objects.create(user=third_pilot, key=key(order), data={"notes": "Kollegans utkast"})
    Draft.objects.create(user=pilot, key=key(order), data={"notes": NOTES, "kind": "follow_up"})
    client.force_login(pilot)

    response = client.get(form_url(order))

    body = response.content.decode()
    assert NOTES in body
    assert "Kollegans utkast" not in body
    assert "Ett osparat utkast från" in body
    assert "Kasta utkastet" in body
    assert "sparades inte" not in body
    assert response.context["form"]["kind"].value() == "follow_up"


def draft_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query for query in queries.captured_queries if "accounts_draft" in query["sql"]]


def test_the_drafts_cost_no_query_without_drafts_and_one_with(client, pilot, order):
    client.force_login(pilot)
    assert draft_queries(client, form_url(order)) == []

    # An autosave tells the session there are drafts: then one query per page.
    (token, _) = tokens_of(client.get(form_url(order)))
    assert client.post(reverse("accounts:draft_save"), {"_draft": token, "notes": NOTES}).status_code == 200
    assert len(draft_queries(client, form_url(order))) == 1


def test_a_saved_visit_deletes_its_drafts(client, pilot, third_pilot, order):
    client.force_login(pilot)
    page_tokens = tokens_of(client.get(form_url(order)))
    for value in page_tokens:
        services.save_draft(pilot, services.read_token(value, pilot), {"notes": NOTES, "checklist-notes": "x"})
    other_form = Draft.objects.create(user=pilot, key="/uppdrag/999/besok/nytt/#VisitForm", data={"notes": "y"})

    data = {**visit_form_data(pilot, third_pilot, notes=NOTES), "_draft": page_tokens}
    response = client.post(form_url(order), data)

    assert response.status_code == 302
    assert Visit.objects.get().notes == NOTES
    assert list(Draft.objects.all()) == [other_form]


def test_a_refused_save_keeps_the_draft(client, pilot, third_pilot, order):
    client.force_login(pilot)
    (token, _) = tokens_of(client.get(form_url(order)))
    services.save_draft(pilot, services.read_token(token, pilot), {"notes": NOTES})

    # A visit in the future is refused beside the field: the form comes back.
    tomorrow = timezone.now() + timedelta(days=2)
    response = client.post(form_url(order), {**visit_form_data(pilot, third_pilot, visited_at=tomorrow, notes=NOTES),
                                             "_draft": token})
    assert response.status_code == 200
    # The re-rendered form keeps autosaving to the same draft.
    assert services.read_token(tokens_of(response)[0], pilot).key == key(order)

    # The order was completed meanwhile and left the bolots's reach.
    order.state = OrderState.COMPLETED
    order.save()
    response = client.post(form_url(order), {**visit_form_data(pilot, third_pilot, notes=NOTES), "_draft": token})
    assert response.status_code == 404
    assert Draft.objects.get().data["notes"] == NOTES
    assert not Visit.objects.exists()


def test_a_save_after_the_session_ended_comes_back_with_the_draft(client, pilot, third_pilot, order):
    client.force_login(pilot)
    page_tokens = tokens_of(client.get(form_url(order)))
    services.save_draft(pilot, services.read_token(page_tokens[0], pilot), {"notes": NOTES})
    client.logout()  # the session ended on the server

    response = client.post(form_url(order), {**visit_form_data(pilot, third_pilot, notes=NOTES + " Och mer."),
                                             "_draft": page_tokens})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={form_url(order)}"
    assert "sparades inte" in str(list(get_messages(response.wsgi_request))[0])
    assert not Visit.objects.exists()

    session_flag = client.session[services.UNSAVED_SESSION_KEY]
    client.force_login(pilot)
    session = client.session
    session[services.UNSAVED_SESSION_KEY] = session_flag  # force_login starts a new session; a real login keeps it
    session.save()
    body = client.get(form_url(order)).content.decode()
    assert NOTES in body
    assert "Du hade loggats ut innan formuläret sparades, så det sparades inte." in body
    # Said once: opened again, it is an ordinary restored draft.
    body = client.get(form_url(order)).content.decode()
    assert "sparades inte" not in body and "Ett osparat utkast från" in body
