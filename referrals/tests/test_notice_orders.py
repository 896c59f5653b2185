"""Orders made from an eviction notice (eviction prevention) and from a
concern report (outreach): kind, links, the 48-hour deadline, risks, the
prefilled assignment, the access log, and no second open order."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from referrals.models import Order, OrderEvent, OrderKind, OrderState
from referrals.services import notices as services
from referrals.tests.factories_notices import ConcernReportFactory, EvictionNoticeFactory


@pytest.fixture
def notice(unit, case_officer):
    return EvictionNoticeFactory(
        unit=unit, registered_by=case_officer, tenant_name="Påhittad Hyresgäst", address="Låtsasgatan 4",
        amount_owed=1_250_050, termination_date=date(2024, 5, 1), eviction_date=date(2024, 6, 15),
        children_count=2, landlord="Fiktiva Bostäder AB",
    )


def test_case_officer_creates_an_eviction_prevention_order_from_a_notice(client, case_officer, pilot, notice):
    client.force_login(case_officer)

    response = client.post(reverse("referrals:notice_create_order", args=[notice.pk]))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:order_detail", args=[order.pk])
    assert order.kind == OrderKind.EVICTION_PREVENTION
    assert order.eviction_notice == notice
    assert order.client is None
    assert order.subject_name == "Påhittad Hyresgäst"
    assert order.subject_address == "Låtsasgatan 4"
    assert order.unit == notice.unit and order.ordered_by == case_officer
    assert order.state == OrderState.SENT
    assert order.risk_children is True
    assert order.first_visit_due_at == order.sent_at + timedelta(hours=48)
    # The assignment is written from the notice, in Swedish.
    assert "Vräkningsförebyggande insats efter underrättelse mottagen 2024-05-02 från Fiktiva Bostäder AB" in order.assignment
    assert "Orsak: Hyresskuld." in order.assignment
    assert "Skuld: 12\u00a0500,50\u00a0kr." in order.assignment
    assert "Uppsägningsdatum: 2024-05-01." in order.assignment
    assert "Betala senast: 2024-05-22." in order.assignment
    assert "Avhysningsdatum: 2024-06-15." in order.assignment
    assert "Barn i hushållet: 2." in order.assignment
    assert OrderEvent.objects.get(order=order).transition == OrderEvent.Transition.SENT
    log = AccessLogEntry.objects.get(object_type="referrals.order")
    assert (log.action, log.client_label) == (AccessAction.CREATE, "Påhittad Hyresgäst")
    # The bolots unit is told, without the person's name.
    note = Notification.objects.get(user=pilot)
    assert f"#{order.pk}" in note.text and "Påhittad" not in note.text


def test_an_order_from_a_clients_notice_is_about_the_client(client, case_officer, unit, client_record):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, client=client_record, tenant_name="",
                                   children_count=0)
    client.force_login(case_officer)

    client.post(reverse("referrals:notice_create_order", args=[notice.pk]))

    order = Order.objects.get()
    assert order.client == client_record and order.subject_name == ""
    assert order.risk_children is False
    assert AccessLogEntry.objects.get(object_type="referrals.order").client_id == client_record.pk


def test_a_protected_clients_address_is_not_copied_onto_the_order(case_officer, unit):
    from referrals.models import ProtectionLevel
    from referrals.tests.factories import ClientFactory

    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, client=protected, tenant_name="",
                                   address="Hemliga gränd 7")
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer, client=protected, subject_name="",
                                   subject_address="Hemliga gränd 7")
    ctx = AuditContext.system(case_officer)

    orders = [services.create_prevention_order(ctx, notice), services.create_outreach_order(ctx, concern)]

    assert [(order.client, order.subject_address) for order in orders] == [(protected, ""), (protected, "")]
    assert all("Hemliga" not in order.assignment for order in orders)


def test_the_notice_page_shows_the_order_with_its_state_and_48_hour_deadline(client, case_officer, notice):
    client.force_login(case_officer)
    client.post(reverse("referrals:notice_create_order", args=[notice.pk]))
    order = Order.objects.get()

    html = client.get(reverse("referrals:notice_detail", args=[notice.pk])).content.decode()

    assert f"#{order.pk}" in html
    assert "Skickat" in html
    assert "Första besök inom 48 timmar" in html
    assert f"{timezone.localtime(order.first_visit_due_at):%Y-%m-%d %H:%M}" in html
    assert "Barn i hemmet" in html, "the order's risk information is shown"


def test_a_second_open_order_is_refused(client, case_officer, notice):
    client.force_login(case_officer)
    client.post(reverse("referrals:notice_create_order", args=[notice.pk]))

    response = client.post(reverse("referrals:notice_create_order", args=[notice.pk]), follow=True)

    assert Order.objects.count() == 1
    assert "är fortfarande öppet" in response.content.decode()


def test_a_new_order_may_follow_a_cancelled_one(case_officer, notice):
    ctx = AuditContext.system(case_officer)
    first = services.create_prevention_order(ctx, notice)
    Order.objects.filter(pk=first.pk).update(state=OrderState.CANCELLED)

    second = services.create_prevention_order(ctx, notice)

    assert second.pk != first.pk
    assert list(notice.orders.order_by("id")) == [first, second]


def test_case_officer_creates_an_outreach_order_from_a_concern(client, case_officer, unit):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer, subject_name="Man i 50-årsåldern",
                                   subject_address="Parkbänken vid stationen", reporter="Polisen i Täby",
                                   concern="Fiktiv oro: sover ute sedan två veckor.")
    client.force_login(case_officer)

    response = client.post(reverse("referrals:concern_create_order", args=[concern.pk]))

    order = Order.objects.get()
    assert response["Location"] == reverse("referrals:order_detail", args=[order.pk])
    assert order.kind == OrderKind.OUTREACH
    assert order.concern_report == concern and order.eviction_notice is None
    assert (order.client, order.subject_name, order.subject_address) == (None, "Man i 50-årsåldern", "Parkbänken vid stationen")
    assert order.first_visit_due_at == order.sent_at + timedelta(hours=48)
    assert "Uppsök efter orosanmälan mottagen 2024-09-10 från Polisen i Täby." in order.assignment
    assert "Fiktiv oro: sover ute sedan två veckor." in order.assignment
    html = client.get(reverse("referrals:concern_detail", args=[concern.pk])).content.decode()
    assert f"#{order.pk}" in html and "Första besök inom 48 timmar" in html


def test_an_outreach_order_about_a_place_only(case_officer, unit):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer, subject_name="",
                                   subject_address="Tältet bakom idrottsplatsen")

    order = services.create_outreach_order(AuditContext.system(case_officer), concern)

    assert (order.subject_name, order.subject_address) == ("", "Tältet bakom idrottsplatsen")
    assert order.subject_label == "Tältet bakom idrottsplatsen"


def test_an_outreach_order_about_a_client(case_officer, unit, client_record):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer, client=client_record, subject_name="")

    order = services.create_outreach_order(AuditContext.system(case_officer), concern)

    assert order.client == client_record


def test_a_second_open_outreach_order_is_refused(case_officer, unit):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer)
    ctx = AuditContext.system(case_officer)
    first = services.create_outreach_order(ctx, concern)

    with pytest.raises(services.OrderAlreadyOpen) as refused:
        services.create_outreach_order(ctx, concern)

    assert refused.value.order == first
    assert Order.objects.count() == 1
