"""The client's housing search tab: who may reach which page (anonymous →
login, wrong role → 403, outsider → 404), what the bolots enters, the access
log, conflicts, and the page's query count."""

from datetime import date, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from bolots.models import HousingApplication, HousingSearchProfile, QueueRegistration
from referrals.models import OrderState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import HousingApplicationFactory, HousingSearchProfileFactory, QueueRegistrationFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def order(pilot, unit, client_record):
    """The pilot's order about the client; the second pilot is assigned nothing."""
    return accepted_order(pilot, make_pilot(unit, "bolots_passiv"), client=client_record)


@pytest.fixture
def rows(client_record):
    return {
        "registration": QueueRegistrationFactory(client=client_record, queue="Bostadsförmedlingen"),
        "application": HousingApplicationFactory(client=client_record, where="Fiktiva Bostäder, Ryd"),
    }


def urls(client_record, rows):
    pk = client_record.pk
    return {
        "housing_search": ("get", reverse("bolots:housing_search", args=[pk])),
        "housing_search_history": ("get", reverse("bolots:housing_search_history", args=[pk])),
        "housing_search_edit": ("get", reverse("bolots:housing_search_edit", args=[pk])),
        "housing_search_check": ("post", reverse("bolots:housing_search_check", args=[pk])),
        "queue_add": ("post", reverse("bolots:queue_add", args=[pk])),
        "queue_edit": ("get", reverse("bolots:queue_edit", args=[pk, rows["registration"].pk])),
        "application_add": ("post", reverse("bolots:application_add", args=[pk])),
        "application_edit": ("get", reverse("bolots:application_edit", args=[pk, rows["application"].pk])),
    }


VIEW_ONLY = {"housing_search": 200, "housing_search_history": 200, "housing_search_edit": 403, "housing_search_check": 403, "queue_add": 403,
             "queue_edit": 403, "application_add": 403, "application_edit": 403}
NOTHING = dict.fromkeys(VIEW_ONLY, 403)
# The bolots of the client's order reaches all; a POST without data shows
# the tab again with the messages (200).
EVERYTHING = dict.fromkeys(VIEW_ONLY, 200)

EXPECTED = {
    "case_officer": VIEW_ONLY,
    "manager": VIEW_ONLY,
    "pilot": EVERYTHING,
    # Same role, but not assigned to the client: not theirs to know about.
    "second_pilot": dict.fromkeys(VIEW_ONLY, 404),
    "housing_admin": NOTHING,
    "system_admin": NOTHING,
    # A case officer of another unit: the page is 404, the writes 403 (no right at all).
    "outside_officer": {**VIEW_ONLY, "housing_search": 404, "housing_search_history": 404},
}


@pytest.mark.parametrize("name", sorted(VIEW_ONLY))
def test_anonymous_is_sent_to_login(client, client_record, rows, name):
    method, url = urls(client_record, rows)[name]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(VIEW_ONLY))
def test_status_per_role(client, users, order, client_record, rows, who, name):
    method, url = urls(client_record, rows)[name]
    client.force_login(users[who])

    assert getattr(client, method)(url).status_code == EXPECTED[who][name]


def test_a_bolots_sees_only_the_clients_of_their_own_orders(client, pilot, order, client_record, unit):
    other = ClientFactory(unit=unit)
    client.force_login(pilot)

    assert client.get(reverse("bolots:housing_search", args=[client_record.pk])).status_code == 200
    assert client.get(reverse("bolots:housing_search", args=[other.pk])).status_code == 404
    assert client.post(reverse("bolots:queue_add", args=[other.pk]), {}).status_code == 404

    # A completed order no longer gives access.
    order.state = OrderState.COMPLETED
    order.save()
    assert client.get(reverse("bolots:housing_search", args=[client_record.pk])).status_code == 404


def test_the_tab_shows_the_search_and_logs_the_view(client, case_officer, client_record, rows):
    HousingSearchProfileFactory(client=client_record, nationwide=True, checked_on=date(2026, 3, 5), notes="Söker ettor.")
    client.force_login(case_officer)
    url = reverse("bolots:housing_search", args=[client_record.pk])

    html = client.get(url).content.decode()

    assert f'<a class="nav-link active" aria-current="page" href="{url}">Bostadssökande</a>' in html
    assert "Bostadsförmedlingen" in html and "Fiktiva Bostäder, Ryd" in html and "Söker ettor." in html
    assert "2026-03-05" in html
    # A case officer may read, not write.
    assert "Lägg till en köregistrering" not in html and "Registrera månadskontrollen" not in html
    row = AccessLogEntry.objects.get(path=url)
    assert (row.action, row.user, row.client_id) == (AccessAction.VIEW, case_officer, client_record.pk)


def test_the_check_is_due_a_month_after_the_last(client, pilot, order, client_record):
    today = timezone.localdate()
    profile = HousingSearchProfileFactory(client=client_record, checked_on=today - timedelta(days=20))
    client.force_login(pilot)
    url = reverse("bolots:housing_search", args=[client_record.pk])

    assert "Månadskontroll behövs" not in client.get(url).content.decode()

    profile.checked_on = today - timedelta(days=40)
    profile.save()
    assert "Månadskontroll behövs" in client.get(url).content.decode()


def test_a_bolots_registers_the_monthly_check(client, pilot, order, client_record):
    client.force_login(pilot)
    url = reverse("bolots:housing_search_check", args=[client_record.pk])

    response = client.post(url, {"check-checked_on": "2026-03-05"})

    assert response.status_code == 302
    assert HousingSearchProfile.objects.get(client=client_record).checked_on == date(2026, 3, 5)
    assert AccessLogEntry.objects.get(path=url).action == AccessAction.CREATE


def test_a_bolots_adds_a_queue_registration_and_an_application(client, pilot, order, client_record):
    client.force_login(pilot)

    client.post(
        reverse("bolots:queue_add", args=[client_record.pk]),
        {"queue-queue": "Bostadsförmedlingen", "queue-registered_since": "2025-01-10", "queue-ended_on": ""},
    )
    client.post(
        reverse("bolots:application_add", args=[client_record.pk]),
        {"application-applied_on": "2026-02-01", "application-where": "Stångåstaden", "application-result": "pending"},
    )

    assert QueueRegistration.objects.get(client=client_record).registered_since == date(2025, 1, 10)
    assert HousingApplication.objects.get(client=client_record).where == "Stångåstaden"
    assert set(
        AccessLogEntry.objects.filter(client_id=client_record.pk, action=AccessAction.CREATE).values_list(
            "object_type", flat=True
        )
    ) == {"bolots.queueregistration", "bolots.housingapplication"}


def test_bad_input_is_shown_in_swedish_and_nothing_is_saved(client, pilot, order, client_record):
    client.force_login(pilot)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("bolots:queue_add", args=[client_record.pk]),
        {"queue-queue": "HSB", "queue-registered_since": "2025-01-10", "queue-ended_on": tomorrow.isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Datumet kan inte ligga i framtiden." in html
    assert 'value="HSB"' in html, "the input is kept"
    assert not QueueRegistration.objects.exists()
    # Showing the tab again is a view.
    assert AccessLogEntry.objects.filter(client_id=client_record.pk, action=AccessAction.VIEW).count() == 1


def test_a_row_of_another_client_is_not_found_through_this_client(client, pilot, order, client_record, unit):
    stranger = QueueRegistrationFactory(client=ClientFactory(unit=unit))
    client.force_login(pilot)

    response = client.get(reverse("bolots:queue_edit", args=[client_record.pk, stranger.pk]))

    assert response.status_code == 404


def test_editing_a_registration(client, pilot, order, client_record, rows):
    registration = rows["registration"]
    client.force_login(pilot)
    url = reverse("bolots:queue_edit", args=[client_record.pk, registration.pk])
    form = client.get(url).context["form"]

    response = client.post(url, {
        "version": form["version"].value(), "queue": "Bostadsförmedlingen",
        "registered_since": "2024-01-15", "ended_on": "2026-02-28",
    })

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.ended_on == date(2026, 2, 28)


def test_a_conflicting_edit_is_refused_and_the_input_kept(client, pilot, order, client_record, rows):
    application = rows["application"]
    client.force_login(pilot)
    url = reverse("bolots:application_edit", args=[client_record.pk, application.pk])
    loaded = client.get(url).context["form"]["version"].value()
    HousingApplication.objects.filter(pk=application.pk).update(result="offered", version=F("version") + 1)

    response = client.post(url, {
        "version": loaded, "applied_on": "2026-02-01", "where": "Ändrad annons", "result": "not_chosen",
    })

    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan sparade detta medan du ändrade." in html
    assert "Erbjuden lägenhet" in html, "the saved value is shown"
    assert 'value="Ändrad annons"' in html, "the input is kept"
    application.refresh_from_db()
    assert (application.where, application.result) == ("Fiktiva Bostäder, Ryd", "offered")


def test_editing_the_notes_and_nationwide_search(client, pilot, order, client_record):
    client.force_login(pilot)
    url = reverse("bolots:housing_search_edit", args=[client_record.pk])
    loaded = client.get(url).context["form"]["version"].value()

    response = client.post(url, {"version": loaded, "nationwide": "on", "notes": "Söker även i Uppsala."})

    assert response.status_code == 302
    profile = HousingSearchProfile.objects.get(client=client_record)
    assert (profile.nationwide, profile.notes) == (True, "Söker även i Uppsala.")
    html = client.get(reverse("bolots:housing_search", args=[client_record.pk])).content.decode()
    assert "Söker även i Uppsala." in html
    history = client.get(reverse("bolots:housing_search_history", args=[client_record.pk]))
    assert {(c.field, c.old_value, c.new_value) for c in history.context["page_obj"].object_list} == {
        ("nationwide", "Nej", "Ja"), ("notes", "", "Söker även i Uppsala."),
    }


@pytest.mark.parametrize("count", [2, 20])
def test_the_query_count_does_not_grow(client, pilot, order, client_record, count, django_assert_num_queries):
    HousingSearchProfileFactory(client=client_record)
    for i in range(count):
        QueueRegistrationFactory(client=client_record)
        HousingApplicationFactory(client=client_record, applied_on=date(2026, 1, 1) + timedelta(days=i))
    client.force_login(pilot)
    # base 8, the client with its search record and number of applications
    # (the bolots's access rule is a subquery of it), the access-log row, the
    # registrations and the page of applications = 12.
    with django_assert_num_queries(12):
        response = client.get(reverse("bolots:housing_search", args=[client_record.pk]))
    assert len(response.context["registrations"]) == count
