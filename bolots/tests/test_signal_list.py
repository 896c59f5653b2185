"""The case officers' signal list: the unacknowledged first, only for
clients the user may see; acknowledging records who and when. Query count
pinned for two sizes of list."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.navigation import items_for
from audit.models import AccessAction, AccessLogEntry
from bolots.models import Signal, SignalKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import SignalFactory, VisitFactory

pytestmark = pytest.mark.django_db

LIST = reverse("bolots:signal_list")


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


def signal_for(person, pilot, passive, officer, visited_at, **fields):
    order = accepted_order(pilot, passive, client=person, ordered_by=officer, sent_at=visited_at - timedelta(days=1))
    visit = VisitFactory(order=order, visited_at=visited_at)
    return SignalFactory(visit=visit, recipient=officer, **fields)


@pytest.fixture
def signals(unit, case_officer, pilot, third_pilot, client_record, manager):
    """An acknowledged signal, an open one to the case officer and an open
    one to a colleague; created in that order."""
    colleague_client = ClientFactory(unit=unit, responsible_officer=manager, first_name="Kollegans")
    done = signal_for(client_record, pilot, third_pilot, case_officer, at(2026, 3, 1, 10, 0),
                      acknowledged_at=at(2026, 3, 2, 9, 0), acknowledged_by=case_officer, text="Betalt i efterhand")
    mine = signal_for(client_record, pilot, third_pilot, case_officer, at(2026, 3, 5, 10, 0),
                      kind=SignalKind.COMPLAINT, text="Vattenskada i badrummet")
    others = signal_for(colleague_client, pilot, third_pilot, manager, at(2026, 3, 6, 10, 0))
    return {"done": done, "mine": mine, "others": others}


def rows(response):
    return [signal.pk for signal in response.context["page_obj"].object_list]


def test_the_case_officer_starts_with_their_own_unacknowledged_first(client, case_officer, signals, client_record):
    client.force_login(case_officer)

    response = client.get(LIST)

    assert rows(response) == [signals["mine"].pk, signals["done"].pk]
    html = response.content.decode()
    assert client_record.full_name in html
    assert "Vattenskada i badrummet" in html
    assert "Nytt klagomål eller ny skada" in html
    assert "2026-03-05" in html


def test_all_shows_the_units_signals(client, case_officer, signals):
    client.force_login(case_officer)

    response = client.get(LIST + "?visa=alla")

    assert rows(response) == [signals["others"].pk, signals["mine"].pk, signals["done"].pk]


def test_a_manager_follows_the_units_signals_and_cannot_acknowledge(client, manager, signals):
    client.force_login(manager)

    response = client.get(LIST)

    assert len(rows(response)) == 3
    assert "/kvittera/" not in response.content.decode()
    assert client.post(reverse("bolots:signal_acknowledge", args=[signals["others"].pk])).status_code == 403


def test_signals_of_clients_the_user_may_not_see_are_not_shown(client, outside_officer, signals):
    client.force_login(outside_officer)

    assert rows(client.get(LIST + "?visa=alla")) == []
    assert client.post(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk])).status_code == 404
    assert Signal.objects.get(pk=signals["mine"].pk).acknowledged_at is None


def test_acknowledging_records_who_and_when(client, case_officer, signals):
    client.force_login(case_officer)
    before = timezone.now()

    response = client.post(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk]), {"visa": "mina"})

    assert response.status_code == 302
    assert response["Location"] == LIST + "?visa=mina"
    signal = Signal.objects.get(pk=signals["mine"].pk)
    assert signal.acknowledged_by == case_officer
    assert before <= signal.acknowledged_at <= timezone.now()
    row = AccessLogEntry.objects.get(object_type="bolots.signal", action=AccessAction.UPDATE)
    assert (row.object_id, row.note) == (str(signal.pk), "acknowledged")
    html = client.get(response["Location"]).content.decode()
    assert "Signalen är kvitterad." in html
    # Now acknowledged, it sorts with the others: the newest first.
    assert rows(client.get(LIST)) == [signals["mine"].pk, signals["done"].pk]


def test_a_signal_acknowledged_by_someone_else_keeps_their_name(client, case_officer, signals, unit):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    colleague = UserFactory(unit=unit, roles=[Role.CASE_OFFICER], first_name="Greta", last_name="Kollega")
    client.force_login(colleague)
    client.post(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk]))
    first_time = Signal.objects.get(pk=signals["mine"].pk).acknowledged_at

    client.force_login(case_officer)
    response = client.post(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk]), follow=True)

    signal = Signal.objects.get(pk=signals["mine"].pk)
    assert (signal.acknowledged_by, signal.acknowledged_at) == (colleague, first_time)
    assert "Greta Kollega kvitterade signalen först" in response.content.decode()


def test_acknowledging_is_a_post(client, case_officer, signals):
    client.force_login(case_officer)

    assert client.get(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk])).status_code == 405


def test_every_client_on_the_page_is_in_the_access_log(client, case_officer, signals, client_record):
    client.force_login(case_officer)

    client.get(LIST + "?visa=alla")

    logged = AccessLogEntry.objects.filter(action=AccessAction.VIEW, note="signal list")
    assert sorted(logged.values_list("client_id", flat=True)) == sorted(
        [client_record.pk, signals["others"].client_id]
    )
    assert {row.user_id for row in logged} == {case_officer.pk}


@pytest.mark.parametrize("who", ["pilot", "housing_admin", "system_admin"])
def test_roles_without_signals_get_403(client, users, who):
    client.force_login(users[who])

    assert client.get(LIST).status_code == 403


def test_anonymous_is_sent_to_login(client, signals):
    login = reverse("accounts:login")
    assert client.get(LIST)["Location"].startswith(login)
    assert client.post(reverse("bolots:signal_acknowledge", args=[signals["mine"].pk]))["Location"].startswith(login)


def test_the_menu_has_signals_for_case_officers_and_managers(users):
    def labels(user):
        return [str(item["label"]) for item in items_for(user)]

    assert "Signaler" in labels(users["case_officer"])
    assert "Signaler" in labels(users["manager"])
    assert "Signaler" not in labels(users["pilot"])
    assert "Signaler" not in labels(users["housing_admin"])


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow_with_the_rows(
    client, unit, case_officer, pilot, third_pilot, n, django_assert_num_queries
):
    for i in range(n):
        person = ClientFactory(unit=unit, responsible_officer=case_officer)
        signal_for(person, pilot, third_pilot, case_officer, at(2026, 3, 1, 10, 0) + timedelta(hours=i),
                   acknowledged_at=at(2026, 4, 1, 9, 0) if i % 2 else None,
                   acknowledged_by=case_officer if i % 2 else None)
    client.force_login(case_officer)

    # Base page 8 + count + the page's signals + the access-log rows = 11
    with django_assert_num_queries(11):
        response = client.get(LIST)

    assert len(rows(response)) == min(n, 25)
