"""What the rent ledger adds to the bolots's pages through bolots's
registries (worklist_sections, checklist_notes): Min dag's "Hyra" section
(the three-week deadline first, then rent unpaid after due date and grace),
at a query cost that does not grow with its rows; the ledger's status beside
the checklist's "rent paid (receipt seen)"; and signals without a visit in
the signal list and on the case officer's start page."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from audit.models import AccessLogEntry
from bolots.models import Signal, SignalKind
from bolots.services import worklist
from bolots.todo import new_signals
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order
from rent.models import ArrearsTermination, TerminationStatus
from rent.tests.overdue_factories import notice, paid
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

MY_DAY = reverse("bolots:my_day")


def short(day):
    with translation.override("sv"):
        return formats.date_format(day, "j b")


@pytest.fixture
def today():
    return timezone.localdate()


def tenant(unit, officer, pilot, passive, **client_fields):
    person = ClientFactory(unit=unit, responsible_officer=officer, **client_fields)
    accepted_order(pilot, passive, client=person, ordered_by=officer)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=person, start_date=date(2024, 1, 1))


def rent_section(html):
    start = html.index('id="hyra"')
    return html[start:html.index("</section>", start)]


def test_min_dag_shows_the_deadline_first_then_rent_unpaid_after_grace(
    client, unit, case_officer, pilot, second_pilot, today
):
    late = tenant(unit, case_officer, pilot, second_pilot, first_name="Sen", last_name="Betalare")
    notice(late, today - timedelta(days=20), 450_000)
    in_grace = tenant(unit, case_officer, second_pilot, pilot, first_name="Nyss", last_name="Förfallen")
    notice(in_grace, today - timedelta(days=3), 300_000)
    settled = tenant(unit, case_officer, pilot, second_pilot, first_name="Har", last_name="Betalat")
    paid(notice(settled, today - timedelta(days=20)), 450_000, today - timedelta(days=20))
    terminated = tenant(unit, case_officer, pilot, second_pilot, first_name="Uppsagd", last_name="Hyresgäst")
    notice(terminated, today - timedelta(days=40), 900_000)
    ArrearsTermination.objects.create(
        tenancy=terminated, decided_on=today - timedelta(days=20), amount_owed=900_000,
        notified_on=today - timedelta(days=18), recover_by=today + timedelta(days=3),
        status=TerminationStatus.RUNNING, created_by=case_officer,
    )
    stranger = tenant(unit, case_officer, second_pilot, None, first_name="Annans", last_name="Klient")
    notice(stranger, today - timedelta(days=30))

    client.force_login(pilot)
    html = client.get(MY_DAY).content.decode()

    section = rent_section(html)
    assert "<h2" in section and ">Hyra</h2>" in section
    assert f"Sista dag att betala: {short(today + timedelta(days=3))} · 3 dagar kvar" in section
    assert f"Hyra obetald · 4\xa0500\xa0kr · förföll {short(today - timedelta(days=20))}" in section
    assert f"Hyra obetald · 9\xa0000\xa0kr · förföll {short(today - timedelta(days=40))}" in section
    assert section.index("Uppsagd") < section.index("Sen Betalare"), "the deadline drives priority"
    for absent in ("Nyss", "Har Betalat", "Annans"):
        assert absent not in section
    # After the 48-hour section and before the overdue visits.
    assert html.index('id="hyra"') < html.index('id="forsenade"')
    # The clients shown are logged as read, like the rest of Min dag.
    assert AccessLogEntry.objects.filter(user=pilot, client_id=late.client_id).exists()


def test_no_rent_section_without_rent_data(client, unit, case_officer, pilot, second_pilot):
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    accepted_order(pilot, second_pilot, client=person, ordered_by=case_officer)
    client.force_login(pilot)
    html = client.get(MY_DAY).content.decode()
    assert 'id="hyra"' not in html


def test_a_protected_tenants_line_shows_no_address(client, unit, case_officer, pilot, second_pilot, today):
    hidden = tenant(unit, case_officer, pilot, second_pilot, protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
                    first_name="Skyddad", last_name="Person")
    notice(hidden, today - timedelta(days=20))
    client.force_login(pilot)
    section = rent_section(client.get(MY_DAY).content.decode())
    assert "Hyra obetald" in section
    assert hidden.apartment.street_address not in section


def test_min_dag_costs_the_same_for_1_and_20_rent_rows(client, unit, case_officer, pilot, second_pilot, today):
    def world(n):
        for _ in range(n):
            tenancy = tenant(unit, case_officer, pilot, second_pilot)
            notice(tenancy, today - timedelta(days=20))
            notice(tenancy, today - timedelta(days=50), period=(today - timedelta(days=80)).replace(day=1))

    client.force_login(pilot)
    world(1)
    client.get(MY_DAY)
    with CaptureQueriesContext(connection) as one:
        response = client.get(MY_DAY)
    assert len(response.context["day"].sections[0].items) == 1
    world(19)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(MY_DAY)
    assert len(response.context["day"].sections[0].items) == 20
    assert len(one) == len(twenty) <= 12


def test_items_without_the_pages_rows_read_them_itself(unit, case_officer, pilot, second_pilot, today):
    from rent.worklist import items

    notice(tenant(unit, case_officer, pilot, second_pilot), today - timedelta(days=20), 120_050)
    with translation.override("sv"):
        found = items(pilot, today)
    assert [item.detail for item in found] == [f"Hyra obetald · 1\xa0200,50\xa0kr · förföll {short(today - timedelta(days=20))}"]
    assert [section.key for section in worklist.added_sections(pilot, today)] == ["hyra"]


# --- The checklist -------------------------------------------------------------------


def test_the_checklist_shows_the_ledgers_status_beside_rent_paid(
    client, unit, case_officer, pilot, second_pilot, today
):
    tenancy = tenant(unit, case_officer, pilot, second_pilot)
    order = tenancy.client.orders.get()
    url = reverse("bolots:visit_create", args=[order.pk])
    client.force_login(pilot)

    notice(tenancy, today - timedelta(days=10), 450_000)
    html = client.get(url).content.decode()
    note = f"Enligt reskontran: obetalt 4\xa0500\xa0kr sedan {short(today - timedelta(days=10))}"
    assert note in html
    assert html.index('name="checklist-rent_paid"') < html.index(note) < html.index('name="checklist-insurance_valid"')

    paid(tenancy.rent_notices.get(), 450_000, today - timedelta(days=2))
    assert "Enligt reskontran: inget obetalt" in client.get(url).content.decode()


def test_no_note_without_rent_data(client, unit, case_officer, pilot, second_pilot):
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    order = accepted_order(pilot, second_pilot, client=person, ordered_by=case_officer)
    client.force_login(pilot)
    html = client.get(reverse("bolots:visit_create", args=[order.pk])).content.decode()
    assert "Enligt reskontran" not in html
    assert worklist.checklist_notes(pilot, None, timezone.localdate()) == []


# --- Signals without a visit -------------------------------------------------------------


@pytest.fixture
def ledger_signal(unit, case_officer, pilot, second_pilot):
    tenancy = tenant(unit, case_officer, pilot, second_pilot)
    return Signal.objects.create(kind=SignalKind.RENT_UNPAID, client=tenancy.client, visit=None,
                                 source_key="rent.notice:1", recipient=case_officer,
                                 text="Hyra obetald: 4 500 kr, förföll 30 nov 2026")


def test_the_signal_list_names_the_ledger_as_source_and_acknowledges(client, case_officer, ledger_signal):
    client.force_login(case_officer)
    html = client.get(reverse("bolots:signal_list")).content.decode()
    assert "Hyresreskontran" in html and "Hyra obetald: 4 500 kr" in html

    response = client.post(reverse("bolots:signal_acknowledge", args=[ledger_signal.pk]), {"visa": "mina"})
    assert response.status_code == 302
    ledger_signal.refresh_from_db()
    assert ledger_signal.acknowledged_by == case_officer


def test_the_start_page_links_a_ledger_signal_to_the_signal_list(case_officer, ledger_signal):
    [item] = new_signals(case_officer, timezone.now())
    assert item.url == reverse("bolots:signal_list")
