"""Changing an order's visit frequency: the rules (refused in Swedish), who
may, what is written (the change, the access log, the notifications) and
where it is shown."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from audit.models import AccessAction, AccessLogEntry
from bolots.models import FrequencyChange
from bolots.services import worklist
from bolots.services.frequency import FrequencyChangeRefused, change_frequency, history, support_start
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import FrequencyChangeFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("pilot")]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
D = date.fromisoformat


@pytest.fixture
def colleague(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(pilot, colleague, client_record, case_officer):
    # Accepted 15 January 2026 (late evening UTC is already the 16th in
    # Stockholm: the start is the local date).
    return accepted_order(
        pilot, colleague, client=client_record, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
        sent_at=datetime(2026, 1, 14, 9, 0, tzinfo=STOCKHOLM),
        accepted_at=datetime(2026, 1, 15, 10, 0, tzinfo=STOCKHOLM),
    )



def test_the_support_starts_on_the_local_day_of_acceptance(order):
    order.accepted_at = datetime(2026, 1, 15, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 16th in Stockholm

    assert support_start(order) == D("2026-01-16")


def test_a_bolots_lowers_the_frequency_after_three_months_with_date_and_reason(ctx, order, pilot, colleague, case_officer):
    change = change_frequency(ctx(pilot), order, "monthly", D("2026-04-16"), "  Allt fungerar väl.  ")

    saved = FrequencyChange.objects.get()
    assert saved == change
    assert (saved.order, saved.interval, saved.changed_on, saved.reason, saved.changed_by) == (
        order, "monthly", D("2026-04-16"), "Allt fungerar väl.", pilot
    )
    (log,) = AccessLogEntry.objects.all()
    assert (log.action, log.object_type, log.object_id, log.client_id, log.user) == (
        AccessAction.UPDATE, "referrals.order", str(order.pk), order.client_id, pilot
    )
    assert log.note == f"frequency_change {change.pk}: monthly from 2026-04-16"
    # The case officer and the other bolots are told; the text names the order, not the person.
    notes = Notification.objects.order_by("user_id")
    assert {note.user_id for note in notes} == {case_officer.pk, colleague.pk}
    assert {note.text for note in notes} == {f"Besöksfrekvensen för uppdrag #{order.pk} har ändrats"}
    assert {note.url for note in notes} == {reverse("bolots:order_frequency", args=[order.pk])}


@pytest.mark.parametrize(
    ("interval", "changed_on", "message"),
    [
        # Exactly three calendar months after the start is still weekly.
        ("monthly", "2026-04-15", "Tittin görs varje vecka under de tre första månaderna (till och med 2026-04-15). "
                                  "En lägre frekvens kan gälla tidigast från 2026-04-16."),
        ("every_other_week", "2026-02-01", "Tittin görs varje vecka under de tre första månaderna"),
        ("yearly", "2026-06-01", "aldrig glesare än en gång i månaden"),
        ("quarterly", "2026-06-01", "aldrig glesare än en gång i månaden"),
        ("weekly", "2026-01-14", "Ändringen kan inte gälla från före insatsens start (2026-01-15)."),
    ],
)
def test_refused_changes_say_why_in_swedish_and_save_nothing(ctx, order, pilot, interval, changed_on, message):
    with pytest.raises(FrequencyChangeRefused) as refusal:
        change_frequency(ctx(pilot), order, interval, D(changed_on), "Skäl")

    assert message in refusal.value.messages[0]
    assert not FrequencyChange.objects.exists()
    assert not AccessLogEntry.objects.exists()
    assert not Notification.objects.exists()


def test_weekly_may_be_recorded_within_the_first_three_months(ctx, order, pilot):
    change_frequency(ctx(pilot), order, "weekly", D("2026-02-01"), "Tätare kontakt behövs.")

    assert FrequencyChange.objects.get().interval == "weekly"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_reason_is_required_and_short(ctx, order, pilot, reason):
    with pytest.raises(FrequencyChangeRefused):
        change_frequency(ctx(pilot), order, "monthly", D("2026-05-01"), reason)
    assert not FrequencyChange.objects.exists()


def test_the_units_case_officer_may_change_it(ctx, order, case_officer, pilot):
    change_frequency(ctx(case_officer), order, "every_other_week", D("2026-05-01"), "Enligt planen.")

    assert FrequencyChange.objects.get().changed_by == case_officer
    # Both bolotsar are told, not the case officer who made the change.
    assert case_officer.pk not in Notification.objects.values_list("user_id", flat=True)


@pytest.mark.parametrize("who", ["second_pilot", "manager", "outside_officer", "housing_admin"])
def test_others_may_not(ctx, order, users, who):
    with pytest.raises(PermissionDenied):
        change_frequency(ctx(users[who]), order, "monthly", D("2026-05-01"), "Skäl")
    assert not FrequencyChange.objects.exists()


@pytest.mark.parametrize("state", [OrderState.COMPLETED, OrderState.CANCELLED])
def test_not_on_a_closed_order(ctx, order, pilot, state):
    order.state = state
    order.save()

    with pytest.raises(PermissionDenied):
        change_frequency(ctx(pilot), order, "monthly", D("2026-05-01"), "Skäl")


def test_the_state_is_read_again_when_the_change_is_written(ctx, order, pilot):
    # The caller's copy is stale: someone completed the order meanwhile.
    type(order).objects.filter(pk=order.pk).update(state=OrderState.COMPLETED)

    with pytest.raises(PermissionDenied):
        change_frequency(ctx(pilot), order, "monthly", D("2026-05-01"), "Skäl")


def test_history_lists_the_change_taking_effect_last_first(order, pilot):
    first = FrequencyChangeFactory(order=order, interval="every_other_week", changed_on=D("2026-05-01"))
    third = FrequencyChangeFactory(order=order, interval="weekly", changed_on=D("2026-08-01"))
    second = FrequencyChangeFactory(order=order, interval="monthly", changed_on=D("2026-06-01"))

    assert list(history(order)) == [third, second, first]


def test_a_change_moves_the_next_look_in(ctx, order, pilot):
    # Last contact 1 May. Weekly: due 8 May, overdue on 10 May. Monthly from
    # 2 May: due 1 June.
    VisitFactory(order=order, visited_at=datetime(2026, 5, 1, 10, 0, tzinfo=STOCKHOLM))
    today, now = D("2026-05-10"), datetime(2026, 5, 10, 9, 0, tzinfo=STOCKHOLM)
    before = worklist.my_day(pilot, today=today, now=now)

    change_frequency(ctx(pilot), order, "monthly", D("2026-05-02"), "Stabilt.")
    after = worklist.my_day(pilot, today=today, now=now)

    assert [row.due_on for row in before.overdue[0].schedule.overdue_on_day if row.due.kind == "look_in"] == [D("2026-05-08")]
    (entry,) = after.overdue  # the checklist (15 Feb) and the follow-up (15 Apr) are still overdue
    assert [row.due.kind for row in entry.schedule.overdue_on_day] == ["checklist", "quarterly_follow_up"]
    assert next(row.due_on for row in entry.schedule.all_on_day if row.due.kind == "look_in") == D("2026-06-01")


# --- The page ---------------------------------------------------------------------


@pytest.fixture
def long_running(pilot, colleague, client_record, case_officer):
    return accepted_order(
        pilot, colleague, client=client_record, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
        accepted_at=timezone.now() - timedelta(days=40),
    )


def test_the_form_shows_a_refusal_beside_the_field_and_saves_nothing(client, pilot, long_running):
    client.force_login(pilot)
    url = reverse("bolots:order_frequency", args=[long_running.pk])

    response = client.post(url, {"interval": "monthly", "changed_on": timezone.localdate().isoformat(), "reason": "x"})

    assert response.status_code == 200
    assert "Tittin görs varje vecka under de tre första månaderna" in response.content.decode()
    assert response.context["form"].errors["changed_on"]
    assert not FrequencyChange.objects.exists()
    # Showing the page again is a read of the order.
    assert AccessLogEntry.objects.get().action == AccessAction.VIEW


def test_the_form_refuses_a_frequency_below_monthly(client, pilot, long_running):
    client.force_login(pilot)

    response = client.post(
        reverse("bolots:order_frequency", args=[long_running.pk]),
        {"interval": "yearly", "changed_on": timezone.localdate().isoformat(), "reason": "x"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["interval"]
    assert not FrequencyChange.objects.exists()


def test_the_page_shows_the_schedule_and_the_history_and_logs_the_view(client, pilot, long_running, client_record):
    FrequencyChangeFactory(order=long_running, interval="weekly", changed_on=timezone.localdate(),
                           reason="Oro för hyran", changed_by=pilot)
    client.force_login(pilot)

    response = client.get(reverse("bolots:order_frequency", args=[long_running.pk]))

    html = response.content.decode()
    assert "Oro för hyran" in html and "Varje vecka" in html
    assert "Tittin varje vecka till och med" in html and "Kvartalsuppföljning" in html
    assert client_record.full_name in html
    (log,) = AccessLogEntry.objects.all()
    assert (log.action, log.object_type, log.client_id) == (AccessAction.VIEW, "referrals.order", client_record.pk)


def test_the_order_page_links_to_the_frequency_page(client, pilot, long_running):
    client.force_login(pilot)

    html = client.get(reverse("referrals:order_detail", args=[long_running.pk])).content.decode()

    assert reverse("bolots:order_frequency", args=[long_running.pk]) in html
    assert "Besöksfrekvens och historik" in html


def test_a_successful_change_returns_to_the_page_with_a_message(client, case_officer, long_running):
    client.force_login(case_officer)
    url = reverse("bolots:order_frequency", args=[long_running.pk])

    response = client.post(url, {"interval": "weekly", "changed_on": timezone.localdate().isoformat(),
                                 "reason": "Tätare kontakt."}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "Besöksfrekvensen är ändrad." in response.content.decode()
    assert FrequencyChange.objects.get().changed_by == case_officer
