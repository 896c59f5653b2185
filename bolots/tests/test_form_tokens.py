"""One token per form (accounts.submissions; tested here, in the highest app whose create
forms it guards, so that every guarded form can be named): a create form sent twice with
its token creates one record and sends the second post to it; a refused
post frees its token; the guard sits on the create forms of decisions,
visits, orders, clients, concern reports and eviction notices."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import FormSubmission
from accounts.submissions import KEEP_FOR, posted_token
from referrals.models import Client, ConcernReport, EvictionNotice, Order, OrderKind
from referrals.tests import test_client_register, test_concern_register, test_notice_register

pytestmark = pytest.mark.django_db

TOKEN = "s" * 32

GUARDED = {
    "referrals:client_create": [],
    "referrals:decision_create": ["client"],
    "referrals:order_create": [],
    "referrals:notice_create": [],
    "referrals:concern_create": [],
    "bolots:visit_create": ["order"],
}


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.mark.parametrize("name", list(GUARDED))
def test_every_create_form_is_guarded(name):
    path = reverse(name, args=[1] * len(GUARDED[name]))

    assert getattr(resolve(path).func, "single_submission", False), name


@pytest.mark.parametrize("name", ["referrals:client_create", "referrals:order_create", "referrals:notice_create",
                                  "referrals:concern_create"])
def test_every_create_page_carries_a_fresh_token(officer, name):
    first = officer.get(reverse(name)).content.decode()
    second = officer.get(reverse(name)).content.decode()

    marker = 'name="submit_token" value="'
    assert marker in first
    token_of = lambda html: html.split(marker, 1)[1].split('"', 1)[0]  # noqa: E731
    assert token_of(first) != token_of(second)


def sent_twice(client, url, data):
    first = client.post(url, {**data, "submit_token": TOKEN})
    second = client.post(url, {**data, "submit_token": TOKEN}, follow=True)
    return first, second


def assert_led_to_the_first(first, second):
    assert first.status_code == 302
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "Formuläret hade redan skickats och sparats" in second.content.decode()


def test_a_client_sent_twice_is_registered_once(officer):
    first, second = sent_twice(officer, reverse("referrals:client_create"), test_client_register.form_data())

    assert_led_to_the_first(first, second)
    assert Client.objects.count() == 1


def test_a_notice_sent_twice_is_registered_once(officer):
    first, second = sent_twice(officer, reverse("referrals:notice_create"), test_notice_register.form_data())

    assert_led_to_the_first(first, second)
    assert EvictionNotice.objects.count() == 1


def test_a_concern_report_sent_twice_is_registered_once(officer):
    first, second = sent_twice(officer, reverse("referrals:concern_create"), test_concern_register.form_data())

    assert_led_to_the_first(first, second)
    assert ConcernReport.objects.count() == 1


def test_an_order_sent_twice_is_sent_once(officer, client_record):
    data = {"kind": OrderKind.SINGLE_ERRAND, "errand_type": "escort_doctor", "client": client_record.pk,
            "assignment": "Följ med till vårdcentralen."}

    first, second = sent_twice(officer, reverse("referrals:order_create"), data)

    assert_led_to_the_first(first, second)
    assert Order.objects.count() == 1


def test_a_refused_post_frees_its_token(officer):
    url = reverse("referrals:concern_create")

    refused = officer.post(url, {**test_concern_register.form_data(concern=""), "submit_token": TOKEN})
    saved = officer.post(url, {**test_concern_register.form_data(), "submit_token": TOKEN})

    assert refused.status_code == 200
    assert saved.status_code == 302
    assert ConcernReport.objects.count() == 1
    # The re-rendered form kept the token it was sent with.
    assert f'value="{TOKEN}"' in refused.content.decode()


def test_another_users_token_is_not_theirs(client, case_officer, users):
    """Claims are per user: the same token from someone else is their own
    first submission (tokens are random, so this only happens on purpose)."""
    url = reverse("referrals:concern_create")
    client.force_login(case_officer)
    client.post(url, {**test_concern_register.form_data(), "submit_token": TOKEN})
    colleague = type(case_officer).objects.create_user("kollega", unit=case_officer.unit)
    colleague.groups.set(case_officer.groups.all())
    client.force_login(colleague)

    response = client.post(url, {**test_concern_register.form_data(), "submit_token": TOKEN})

    assert response.status_code == 302
    assert ConcernReport.objects.count() == 2


def test_without_a_token_the_form_works_as_before(officer):
    url = reverse("referrals:concern_create")

    officer.post(url, test_concern_register.form_data())

    assert ConcernReport.objects.count() == 1
    assert not FormSubmission.objects.exists()


@pytest.mark.parametrize("value", ["", "kort", "x" * 65, "ö" * 30, "a b" * 10, "<script>" * 4])
def test_a_malformed_token_is_ignored(rf, value):
    request = rf.post("/", {"submit_token": value})

    assert posted_token(request) is None


def test_old_claims_are_removed(officer, case_officer):
    old = FormSubmission.objects.create(user=case_officer, token="o" * 32, target="/")
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - KEEP_FOR - timedelta(hours=1))

    officer.post(reverse("referrals:concern_create"), {**test_concern_register.form_data(), "submit_token": TOKEN})

    assert list(FormSubmission.objects.values_list("token", flat=True)) == [TOKEN]
