"""Issue 12: the client's overview summarises the tabs (referrals.client_summaries,
with boxes registered by referrals, tenancies and bolots): open decisions,
orders, the individual plan's next review, the current tenancy, the last
and next visit and the open signals, each box linking to its tab; the
current apartment of a protected client follows referrals.protection; the
query count does not grow with the records."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from referrals.models import DecisionKind, OrderKind, OrderState, ProtectionLevel
from referrals.tests.factories_decisions import DecisionFactory, PlanFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order
from tenancies.models import ApartmentStatus
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .factories import SignalFactory, VisitFactory

pytestmark = pytest.mark.django_db


def page(client, person):
    return client.get(reverse("referrals:client_detail", args=[person.pk]))


def boxes(response):
    assert response.status_code == 200
    return {box.key: box for box in response.context["summaries"]}


def texts(box):
    return " | ".join(line.text for line in box.lines)


@pytest.fixture
def file(unit, client_record, case_officer, pilot, second_pilot):
    """A client with something in every box."""
    today = timezone.localdate()
    DecisionFactory(client=client_record, kind=DecisionKind.HOME_SUPPORT, decided_by=case_officer,
                    decided_on=today - timedelta(days=20), applied_on=today - timedelta(days=25))
    order = accepted_order(pilot, second_pilot, client=client_record, ordered_by=case_officer,
                           kind=OrderKind.BOLOTS_SUPPORT, accepted_at=timezone.now() - timedelta(days=10))
    OrderFactory(unit=unit, client=client_record, ordered_by=case_officer, kind=OrderKind.OUTREACH,
                 state=OrderState.RETURNED, sent_at=timezone.now() - timedelta(hours=10))
    visit = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=3))
    SignalFactory(visit=visit, recipient=case_officer)
    PlanFactory(client=client_record, established_on=date(2026, 10, 1), created_by=case_officer)
    TenancyFactory(apartment=ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED,
                                              street_address="Bovägen 3"),
                   client=client_record, start_date=date(2025, 5, 1), created_by=case_officer)
    return {"order": order, "visit": visit}


def test_the_overview_summarises_every_tab_with_a_link_to_it(client, case_officer, client_record, file):
    client.force_login(case_officer)

    response = page(client, client_record)

    found = boxes(response)
    assert list(found) == ["decisions", "plan", "orders", "tenancy", "visits", "signals", "person_links"]
    pk = client_record.pk
    assert found["decisions"].url == reverse("referrals:client_decisions", args=[pk])
    assert "Boendestöd" in texts(found["decisions"]) and "ej verkställt" in texts(found["decisions"])
    assert found["plan"].url == reverse("referrals:client_plan", args=[pk])
    assert "Nästa uppföljning 2027-01-01" in texts(found["plan"])
    assert found["orders"].url == reverse("referrals:client_orders", args=[pk])
    assert f"#{file['order'].pk}" in texts(found["orders"]) and "Returnerat med fråga" in texts(found["orders"])
    assert found["tenancy"].url == reverse("tenancies:client_tenancies", args=[pk])
    assert "Bovägen 3" in texts(found["tenancy"]) and "sedan 2025-05-01" in texts(found["tenancy"])
    assert found["visits"].url == reverse("bolots:client_visits", args=[pk])
    last_day = timezone.localtime(file["visit"].visited_at).date()
    assert f"Senaste besök {last_day:%Y-%m-%d}" in texts(found["visits"])
    assert "Nästa besök" in texts(found["visits"])
    assert "Hyran inte betald" in texts(found["signals"]) or found["signals"].lines[0].urgent
    html = response.content.decode()
    for box in found.values():
        assert f'href="{box.url}"' in html


def test_an_empty_file_says_so(client, case_officer, client_record):
    client.force_login(case_officer)

    found = boxes(page(client, client_record))

    assert found["decisions"].lines == [] and found["orders"].lines == []
    assert texts(found["plan"]) == "Ingen genomförandeplan"
    assert texts(found["tenancy"]) == "Inget pågående hyresförhållande"
    assert texts(found["signals"]) == "Inga okvitterade signaler"


def test_a_protected_clients_apartment_is_not_shown_without_the_permission(client, case_officer, client_record, file):
    client_record.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    client_record.save()
    client.force_login(case_officer)

    response = page(client, client_record)

    assert "Bovägen 3" not in response.content.decode()
    assert "Lägenheten visas inte: skyddade personuppgifter" in texts(boxes(response)["tenancy"])

    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(type(case_officer).objects.get(pk=case_officer.pk))
    assert "Bovägen 3" in texts(boxes(page(client, client_record))["tenancy"])


def test_a_bolots_sees_the_boxes_their_role_may_read(client, pilot, client_record, file):
    client.force_login(pilot)

    found = boxes(page(client, client_record))

    # No decisions, plans or signals for a bolots (their permissions).
    assert set(found) == {"orders", "tenancy", "visits"}
    assert "Returnerat med fråga" not in texts(found["orders"]), "the unit's queue shows no person to a bolots"


def test_outsiders_wrong_roles_and_anonymous_users_get_no_overview(client, users, client_record, file):
    url = reverse("referrals:client_detail", args=[client_record.pk])
    assert client.get(url).status_code == 302
    client.force_login(users["outside_officer"])
    assert client.get(url).status_code == 404
    client.force_login(users["housing_admin"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("n", [1, 5])
def test_the_query_count_does_not_grow_with_the_records(client, unit, case_officer, pilot, second_pilot,
                                                        client_record, n, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(n):
        DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=20 + i),
                        applied_on=today - timedelta(days=30))
        order = accepted_order(pilot, second_pilot, client=client_record, ordered_by=case_officer,
                               kind=OrderKind.BOLOTS_SUPPORT)
        visit = VisitFactory(order=order, visited_at=timezone.make_aware(datetime(2026, 3, 2 + i, 10)))
        SignalFactory(visit=visit, recipient=case_officer)
    client.force_login(case_officer)
    page(client, client_record)

    # 13 the page made before (10 of them every page's) and 9 for the boxes:
    # decisions (two while fewer than four are waiting), plan, orders,
    # tenancy, visits (the last one; the orders under way with their
    # schedule facts), signals and the person links (issue 15).
    with django_assert_max_num_queries(22):
        response = page(client, client_record)

    assert response.status_code == 200
