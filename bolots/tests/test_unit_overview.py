"""The unit's overview: caseload per bolots with the unit's average, the
queue of unaccepted orders with its 48-hour flags, and the overdue visits
across the unit. Small hand-built data; the figures are worked out in the
comments."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.services import worklist
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot

from .factories import VisitFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day, hour=10):
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=STOCKHOLM)


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3", first_name="Cecilia")


def test_caseload_per_bolots_and_the_units_average(unit, other_unit, pilot, second_pilot, third_pilot):
    p1, p2, p3 = pilot, second_pilot, third_pilot
    accepted_order(p1, p2)  # P1 active, P2 passive
    accepted_order(p1, p3, state=OrderState.IN_PROGRESS)  # P1 active, P3 passive
    accepted_order(p2, p1)  # P2 active, P1 passive
    accepted_order(p3, p1, state=OrderState.IN_PROGRESS)  # P3 active, P1 passive
    accepted_order(p1, p2, state=OrderState.COMPLETED)  # closed: not counted
    accepted_order(p1, p2, state=OrderState.CANCELLED)  # closed: not counted
    stranger = make_pilot(other_unit, "bolots_annan")
    accepted_order(stranger, make_pilot(other_unit, "bolots_annan2"))  # another unit

    pilots = list(worklist.caseloads(unit.pk))

    # P1: active 2, passive 2. P2: active 1, passive 1. P3: active 1, passive 1.
    assert {p.username: (p.active_count, p.passive_count) for p in pilots} == {
        "bolots": (2, 2), "bolots2": (1, 1), "bolots3": (1, 1),
    }
    # Averages over the three bolotsar: active 4/3, passive 4/3, total 8/3.
    averages = worklist.unit_averages(pilots)
    assert averages == pytest.approx({"active": 4 / 3, "passive": 4 / 3, "total": 8 / 3})


def test_the_page_shows_the_caseloads_and_the_average_in_swedish_format(client, manager, pilot, second_pilot, third_pilot):
    accepted_order(pilot, second_pilot)
    accepted_order(pilot, third_pilot)
    accepted_order(third_pilot, pilot)
    client.force_login(manager)

    html = client.get(reverse("bolots:unit_overview")).content.decode()

    # Active 3/3 = 1,0; passive 3/3 = 1,0; total 6/3 = 2,0. Pilot: 2 + 1 = 3.
    footer = html[html.index("unit-average"):]
    assert "Enhetens genomsnitt" in footer and "1,0" in footer and "2,0" in footer
    assert "Ärendemängd per bolots" in html


def test_the_queue_with_its_48_hour_flags(unit, case_officer, pilot):
    now = at("2026-05-10", 9)
    OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.SINGLE_ERRAND, sent_at=now - timedelta(days=3))
    OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=now - timedelta(hours=10))
    OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.EVICTION_PREVENTION,
                 sent_at=now - timedelta(hours=60))
    oldest = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, state=OrderState.RETURNED,
                          sent_at=now - timedelta(days=5))
    accepted_order(pilot, make_pilot(unit, "bolots3"), kind=OrderKind.OUTREACH, sent_at=now - timedelta(days=9))

    summary = worklist.queue_summary(unit.pk, now)

    # Four waiting (sent or returned); three under the 48-hour rule, of which
    # the eviction prevention (60 h) and the returned outreach (5 days) are
    # past their 48 hours; the oldest was sent 5 days ago.
    assert summary == {
        "count": 4,
        "oldest_sent_at": oldest.sent_at,
        "with_48_hours": 3,
        "past_48_hours": 2,
        "earliest_deadline": oldest.sent_at + timedelta(hours=48),
    }


def test_overdue_visits_across_the_unit(unit, other_unit, pilot, second_pilot, third_pilot, manager):
    today, now = at("2026-05-10").date(), at("2026-05-10", 9)
    # Look-in due on the start day 3 May: 7 days overdue.
    new = accepted_order(pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=at("2026-05-03"))
    # Contact 8 May with nothing else due: not overdue.
    fine = accepted_order(second_pilot, third_pilot, kind=OrderKind.SINGLE_ERRAND, accepted_at=at("2026-05-07"))
    VisitFactory(order=fine, visited_at=at("2026-05-08"))
    # Eviction prevention sent 6 May 10:00: 48 hours ran out 8 May 10:00,
    # 47 hours before now: 1 whole day.
    late = accepted_order(third_pilot, pilot, kind=OrderKind.EVICTION_PREVENTION, sent_at=at("2026-05-06"),
                          accepted_at=at("2026-05-06", 11))
    # Accepted 1 February, last contact 20 April: look-in due 27 April (13
    # days), checklist due 1 March (70 days), quarterly follow-up 1 May (9).
    old = accepted_order(third_pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=at("2026-02-01"))
    VisitFactory(order=old, visited_at=at("2026-04-20"))
    # Other unit: never in this list.
    accepted_order(make_pilot(other_unit, "x1"), make_pilot(other_unit, "x2"), kind=OrderKind.BOLOTS_SUPPORT,
                   accepted_at=at("2026-01-01"))

    rows = worklist.unit_overdue(unit.pk, manager, today=today, now=now)

    assert [row.order.pk for row in rows] == [old.pk, new.pk, late.pk]
    assert [row.schedule.days_overdue for row in rows[:2]] == [70, 7]
    assert [(due.due_on.isoformat(), due.kind) for due in rows[0].schedule.overdue_on_day] == [
        ("2026-03-01", "checklist"), ("2026-04-27", "look_in"), ("2026-05-01", "quarterly_follow_up"),
    ]
    assert rows[2].schedule.first_visit.days_overdue == 1
    assert all(row.can_open for row in rows)  # the manager may open every order of the unit


def test_the_overdue_table_names_the_bolotsar_and_what_is_overdue(client, manager, pilot, second_pilot, client_record):
    order = accepted_order(pilot, second_pilot, client=client_record, kind=OrderKind.BOLOTS_SUPPORT,
                           accepted_at=timezone.now() - timedelta(days=10), risk_threats=True)
    client.force_login(manager)

    html = client.get(reverse("bolots:unit_overview")).content.decode()

    table = html[html.index("unit-overdue-table"):]
    assert f"Bolotsinsats #{order.pk}" in table
    assert str(pilot) in table and str(second_pilot) in table
    assert "Tittin" in table and "Hot" in table
    assert client_record.full_name not in html  # the overview names no client


def test_a_user_without_a_unit_gets_an_empty_overview(client, manager):
    manager.unit = None
    manager.save()
    client.force_login(manager)

    response = client.get(reverse("bolots:unit_overview"))

    assert response.status_code == 200
    assert response.context["pilots"] == [] and response.context["overdue_count"] == 0
