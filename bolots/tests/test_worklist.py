""""Min dag": which of the bolots's orders land in which section on a given
day, what an entry shows (risks first, protected addresses hidden, the
button to log a visit), and the access-log row of a page view."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from bolots.models import VisitChecklist, VisitKind, VisitOutcome
from bolots.services import worklist
from referrals.models import OrderKind, OrderState, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import FrequencyChangeFactory, VisitFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime(2026, 5, 10).date()
NOW = datetime(2026, 5, 10, 9, 0, tzinfo=STOCKHOLM)


def at(day, hour=10):
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=STOCKHOLM)


def visit(order, day, *, kind=VisitKind.LOOK_IN, outcome=VisitOutcome.DONE, checklist=False):
    extra = {"cancel_reason": "forgot"} if outcome in VisitOutcome.needing_reason() else {}
    done = VisitFactory(order=order, visited_at=at(day), kind=kind, outcome=outcome, **extra)
    if checklist:
        VisitChecklist.objects.create(
            visit=done, rent_paid="yes", insurance_valid="yes", housing_search_active="yes", treatment_followed="yes"
        )
    return done


def support(pilot, colleague, accepted_on, **kwargs):
    kwargs.setdefault("kind", OrderKind.BOLOTS_SUPPORT)
    kwargs.setdefault("sent_at", at(accepted_on, 8))
    return accepted_order(pilot, colleague, accepted_at=at(accepted_on), **kwargs)


@pytest.fixture
def colleague(unit):
    return make_pilot(unit, "bolots3")


def sections(day):
    return {
        "first_visits": [entry.order.pk for entry in day.first_visits],
        "overdue": [entry.order.pk for entry in day.overdue],
        "due_today": [entry.order.pk for entry in day.due_today],
        "upcoming": [entry.order.pk for entry in day.upcoming],
    }


def test_each_order_lands_in_one_section_on_the_day(pilot, second_pilot, colleague, case_officer):
    # Today is 2026-05-10 (Sunday), 09:00.
    # A: look-in due a week after the last contact (1 May) = 8 May: 2 days overdue.
    a = support(pilot, colleague, "2026-01-15")
    visit(a, "2026-04-15", kind=VisitKind.QUARTERLY_FOLLOW_UP)
    visit(a, "2026-05-01", checklist=True)
    # B: accepted 3 May, no visit yet: the first look-in was due on 3 May, 7 days overdue.
    b = support(pilot, colleague, "2026-05-03")
    # C: quarterly follow-up with the checklist on 3 May: look-in due today.
    c = support(pilot, colleague, "2026-02-01")
    visit(c, "2026-05-03", kind=VisitKind.QUARTERLY_FOLLOW_UP, checklist=True)
    # D: outreach sent yesterday 10:00, accepted: 48 hours run to 11 May 10:00 (25 h left).
    d = accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, sent_at=at("2026-05-09"), accepted_at=at("2026-05-09", 12))
    # E: eviction prevention sent 7 May 08:00: its 48 hours ran out on 9 May 08:00.
    e = accepted_order(pilot, colleague, kind=OrderKind.EVICTION_PREVENTION, sent_at=at("2026-05-07", 8),
                       accepted_at=at("2026-05-07", 9))
    # F: monthly from 20 April, last contact 5 May: due 5 June, beyond the next 7 days.
    f = support(pilot, colleague, "2026-01-10")
    FrequencyChangeFactory(order=f, interval="monthly", changed_on=datetime(2026, 4, 20).date())
    visit(f, "2026-04-20", kind=VisitKind.QUARTERLY_FOLLOW_UP)
    visit(f, "2026-05-05", checklist=True)
    # G: only a cancelled visit since the start (9 May): no contact, due 9 May, overdue.
    g = support(pilot, colleague, "2026-05-09")
    visit(g, "2026-05-09", outcome=VisitOutcome.CANCELLED_BY_CLIENT)
    # H: `pilot` is the passive bolots; contact on 8 May with the checklist: due 15 May, upcoming.
    h = support(colleague, pilot, "2026-02-01")
    visit(h, "2026-05-08", kind=VisitKind.QUARTERLY_FOLLOW_UP, checklist=True)
    # Not `pilot`'s: another bolots's order, a completed one, one still in the queue.
    support(second_pilot, colleague, "2026-05-01")
    support(pilot, colleague, "2026-01-01", state=OrderState.COMPLETED)
    accepted_order(pilot, colleague, state=OrderState.SENT, accepted_at=None, kind=OrderKind.OUTREACH)

    day = worklist.my_day(pilot, today=TODAY, now=NOW)

    assert sections(day) == {
        "first_visits": [e.pk, d.pk],  # the earliest deadline first
        "overdue": [b.pk, a.pk, g.pk],  # the most days overdue first: 7, 2, 1
        "due_today": [c.pk],
        "upcoming": [h.pk],
    }
    assert day.order_count == 8  # A–H; f is assigned but nothing is due this week
    by_pk = {entry.order.pk: entry for entry in day.shown}
    assert [(row.label, row.days_overdue) for row in by_pk[a.pk].schedule.due_now_on_day] == [("Tittin", 2)]
    assert by_pk[d.pk].schedule.first_visit.hours_left == 25
    assert by_pk[e.pk].schedule.first_visit.is_overdue
    # What each entry's line says is due (Entry.due_rows): the visits due
    # now for an overdue or today entry, the earliest for an upcoming one.
    assert [(row.due.kind, row.status) for row in by_pk[a.pk].due_rows] == [("look_in", "overdue")]
    assert [(row.due.kind, row.status) for row in by_pk[c.pk].due_rows] == [("look_in", "today")]
    assert [(row.due.kind, row.due_on.isoformat(), row.status) for row in by_pk[h.pk].due_rows] == [
        ("look_in", "2026-05-15", "later")
    ]


def test_an_overdue_order_lists_everything_due_on_it(pilot, colleague):
    # Accepted 2025-11-30, nothing since a look-in with the checklist on
    # 2026-02-20: the look-in was due 27 Feb and the quarterly follow-up
    # 28 Feb (30 Nov + 3 months); the checklist is due today (20 Mar).
    order = support(pilot, colleague, "2025-11-30")
    visit(order, "2026-02-20", checklist=True)

    day = worklist.my_day(pilot, today=datetime(2026, 3, 20).date(), now=at("2026-03-20", 9))

    (entry,) = day.overdue
    assert [(row.due.kind, row.due_on.isoformat(), row.status, row.days_overdue)
            for row in entry.schedule.due_now_on_day] == [
        ("look_in", "2026-02-27", "overdue", 21),
        ("quarterly_follow_up", "2026-02-28", "overdue", 20),
        ("checklist", "2026-03-20", "today", 0),
    ]


def test_the_frequency_change_in_effect_is_read_for_each_order(pilot, colleague):
    order = support(pilot, colleague, "2026-01-10")
    FrequencyChangeFactory(order=order, interval="every_other_week", changed_on=datetime(2026, 4, 20).date(), reason="a")
    FrequencyChangeFactory(order=order, interval="monthly", changed_on=datetime(2026, 5, 1).date(), reason="b")
    # Planned for later: not in effect today.
    FrequencyChangeFactory(order=order, interval="weekly", changed_on=datetime(2026, 5, 20).date(), reason="c")

    (row,) = worklist.with_schedule_facts(worklist.assigned_orders(pilot), TODAY)

    assert (row.change_interval, row.change_from.isoformat(), row.change_reason) == ("monthly", "2026-05-01", "b")


# --- The page -------------------------------------------------------------------


def recent(days_ago, hour=10):
    return timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)


def test_an_entry_shows_the_risks_first_then_the_person_what_is_due_and_the_button(client, pilot, colleague, unit):
    person = ClientFactory(unit=unit, first_name="Ada", last_name="Påhittad", street_address="Skolvägen 3")
    order = accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(3),
                           sent_at=recent(4), risk_violence=True, risk_animals=True, risk_notes="Stor hund")
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()

    entry = html[html.index(f'id="uppdrag-{order.pk}"'):]
    entry = entry[: entry.index("</article>")]
    risk = entry.index("Våld i nära relation")
    assert "Djur i hemmet" in entry and "Stor hund" in entry
    assert risk < entry.index("Ada Påhittad") < entry.index("Skolvägen 3") < entry.index("Tittin")
    assert "försenad" in entry  # due on the start day, three days ago
    assert f'href="/uppdrag/{order.pk}/besok/nytt/"' in entry
    assert "Registrera besök" in entry
    assert entry.index("Tittin") < entry.index("Registrera besök")


def test_a_protected_address_is_not_in_the_page(client, pilot, colleague, unit):
    person = ClientFactory(unit=unit, first_name="Bo", last_name="Skyddsson", street_address="Hemliga gatan 1",
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(1))
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()

    assert "Bo Skyddsson" in html
    assert "Hemliga gatan" not in html
    assert "Adressen är skyddad" in html


def test_an_outreach_order_without_a_client_shows_the_address_written_on_it_and_its_48_hours(client, pilot, colleague, unit):
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, client=None, subject_name="Man i 50-årsåldern",
                   subject_address="Storgatan 7", sent_at=timezone.now() - timedelta(hours=2))
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()

    assert "Nya uppdrag: första besök inom 48 timmar" in html
    assert "Man i 50-årsåldern" in html and "Storgatan 7" in html
    # The kind in words, on the line and in the button's hidden text (not only in the filter's options).
    assert '<span class="worklist-kind">Uppsök<span' in html and ": Registrera besök, Uppsök #" in html
    assert "Första besök: <strong>45 h kvar</strong>" in html or "Första besök: <strong>46 h kvar</strong>" in html


def test_an_outreach_order_past_its_48_hours_is_flagged_in_words(client, pilot, colleague):
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, client=None, subject_name="Kvinna",
                   sent_at=timezone.now() - timedelta(hours=50))
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()

    assert "Försenat första besök" in html


def test_the_frequency_in_effect_and_its_reason_are_a_link_away(client, pilot, colleague):
    # Min dag's compact card leaves the frequency to the order's pages.
    order = accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(200))
    FrequencyChangeFactory(order=order, interval="monthly", changed_on=timezone.localdate() - timedelta(days=30),
                           reason="Stabilt boende sedan länge")
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()
    detail = client.get(reverse("referrals:order_detail", args=[order.pk])).content.decode()
    frequency = client.get(reverse("bolots:order_frequency", args=[order.pk])).content.decode()

    assert reverse("referrals:order_detail", args=[order.pk]) in html
    assert reverse("bolots:order_frequency", args=[order.pk]) in detail
    assert "Stabilt boende sedan länge" in frequency


def test_a_bolots_sees_only_their_own_orders(client, pilot, second_pilot, colleague, unit):
    mine = ClientFactory(unit=unit, first_name="Min", last_name="Klientsson")
    theirs = ClientFactory(unit=unit, first_name="Annans", last_name="Klientsson")
    accepted_order(pilot, colleague, client=mine, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(1))
    accepted_order(second_pilot, colleague, client=theirs, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(1))
    client.force_login(pilot)

    html = client.get(reverse("bolots:my_day")).content.decode()

    assert "Min Klientsson" in html
    assert "Annans Klientsson" not in html


def test_a_bolots_of_another_unit_sees_nothing_of_this_unit(client, pilot, colleague, unit, other_unit):
    person = ClientFactory(unit=unit, first_name="Här", last_name="Hemma")
    accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(1))
    stranger = make_pilot(other_unit, "bolots_annan")
    client.force_login(stranger)

    html = client.get(reverse("bolots:my_day")).content.decode()

    assert "Här Hemma" not in html
    assert "Du har inga accepterade uppdrag just nu." in html


def test_opening_the_page_logs_the_page_and_every_client_on_it_in_one_insert(client, pilot, colleague):
    # Min dag shows home addresses: every client on it is a read (issue 10 §4).
    orders = [accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=recent(1))
              for _ in range(3)]
    client.force_login(pilot)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("bolots:my_day"))

    page = AccessLogEntry.objects.get(object_type="bolots.worklist")
    assert (page.user, page.action, page.client_id) == (pilot, AccessAction.VIEW, None)
    assert page.path == reverse("bolots:my_day")
    assert page.note == "orders shown: 3 of 3"
    reads = AccessLogEntry.objects.exclude(pk=page.pk)
    assert sorted(reads.values_list("client_id", flat=True)) == sorted(order.client_id for order in orders)
    assert {(row.user_id, row.action) for row in reads} == {(pilot.pk, AccessAction.VIEW)}
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT") and "audit_accesslogentry" in q["sql"]]
    assert len(inserts) == 1


def test_the_menu_leads_a_bolots_to_min_dag_first(client, pilot):
    client.force_login(pilot)

    html = client.get(reverse("home") + "?oversikt=1").content.decode()

    assert "Min dag" in html
    assert html.index("Min dag") < html.index("Enhetens översikt")
