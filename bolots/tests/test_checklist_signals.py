"""The monthly checklist: a "no" on rent or a new complaint signals the
client's case officer at once, in the app and by e-mail after commit, with
no personal data in the text; a new complaint is also registered on the
client's apartment (reported by staff) without telling anyone twice."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry
from bolots.models import ChecklistAnswer, Signal, SignalKind, VisitChecklist, VisitKind, VisitOutcome
from referrals.models import OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot, outreach_order
from tenancies.models import Complaint, ComplaintKind, ComplaintSource
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

ALL_IN_ORDER = {
    "rent_paid": ChecklistAnswer.YES,
    "insurance_valid": ChecklistAnswer.YES,
    "housing_search_active": ChecklistAnswer.YES,
    "treatment_followed": ChecklistAnswer.NOT_APPLICABLE,
}
RENT_UNPAID = {**ALL_IN_ORDER, "rent_paid": ChecklistAnswer.NO, "rent_comment": "Inget kvitto för november."}
COMPLAINT = {
    **ALL_IN_ORDER, "new_complaint": "on", "complaint_kind": ComplaintKind.DISTURBANCE,
    "complaint_description": "Grannen klagar på hög musik på natten.",
}


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    """An order in progress whose first visit is behind it (so that logging
    a visit sends no other notification than the ones tested here)."""
    order = accepted_order(
        pilot, third_pilot, client=client_record, ordered_by=case_officer, state=OrderState.IN_PROGRESS,
        sent_at=timezone.now() - timedelta(days=40), first_visit_at=timezone.now() - timedelta(days=39),
    )
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=39))
    return order


@pytest.fixture
def tenancy(unit, client_record, case_officer):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, object_number="LGH-1234"), client=client_record,
                          start_date=date(2025, 1, 1), created_by=case_officer)


def log(client, order, pilot, checklist, passive=None, **fields):
    client.force_login(pilot)
    return client.post(reverse("bolots:visit_create", args=[order.pk]),
                       visit_form_data(pilot, passive, checklist=checklist, **fields))


def personal_data(person):
    return [person.first_name, person.last_name, person.personal_number, person.personal_number_display,
            person.street_address]


def test_rent_not_paid_signals_the_case_officer_at_once_and_by_email(
    client, order, pilot, case_officer, client_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = log(client, order, pilot, RENT_UNPAID)
        # In the app at once; the e-mail waits for the commit.
        assert Notification.objects.filter(user=case_officer).count() == 1
        assert mail.outbox == []

    assert response.status_code == 302
    # One e-mail enqueued (the other callbacks renew permission caches).
    assert len([c for c in callbacks if c.__qualname__.startswith("enqueue_after_commit")]) == 1
    signal = Signal.objects.get()
    assert (signal.kind, signal.client, signal.recipient, signal.text) == (
        SignalKind.RENT_UNPAID, client_record, case_officer, "Inget kvitto för november."
    )
    assert signal.visit == order.visits.latest("created_at")
    notification = Notification.objects.get(user=case_officer)
    assert notification.text == f"Signal: hyran inte betald (uppdrag #{order.pk})"
    assert notification.url == reverse("bolots:signal_list")
    [email] = mail.outbox
    assert email.to == [case_officer.email]
    assert email.subject == f"Bolots: Signal: hyran inte betald (uppdrag #{order.pk})"
    for text in (notification.text, email.subject, email.body):
        for value in personal_data(client_record):
            assert value not in text


def test_the_visit_page_says_that_the_case_officer_got_the_signal(client, order, pilot, case_officer):
    response = log(client, order, pilot, RENT_UNPAID)

    html = client.get(response["Location"]).content.decode()
    assert "Handläggaren har fått en signal: hyran inte betald." in html
    # The visit's signals are listed for those who follow signals.
    assert "Signaler till handläggaren" not in html
    client.force_login(case_officer)
    html = client.get(response["Location"]).content.decode()
    assert "Signaler till handläggaren" in html
    assert "inte kvitterad än" in html


@pytest.mark.parametrize("item", ["insurance_valid", "housing_search_active", "treatment_followed"])
def test_other_failing_items_are_kept_without_a_signal(client, order, pilot, item):
    log(client, order, pilot, {**ALL_IN_ORDER, item: ChecklistAnswer.NO})

    checklist = VisitChecklist.objects.get()
    assert checklist.failing_items == [item]
    assert not Signal.objects.exists()
    assert not Notification.objects.exists()


def test_a_checklist_in_order_raises_nothing_and_is_stored(client, order, pilot):
    response = log(client, order, pilot, {**ALL_IN_ORDER, "insurance_comment": "Gäller till juni."})

    assert response.status_code == 302
    checklist = VisitChecklist.objects.get()
    assert (checklist.rent_paid, checklist.insurance_comment, checklist.visit.kind) == (
        ChecklistAnswer.YES, "Gäller till juni.", VisitKind.LOOK_IN
    )
    assert not Signal.objects.exists()
    assert AccessLogEntry.objects.filter(object_type="bolots.visitchecklist", action=AccessAction.CREATE,
                                         object_id=str(checklist.pk)).exists()


def test_without_a_responsible_case_officer_the_signal_goes_to_the_one_who_ordered(
    client, order, pilot, case_officer, client_record, unit
):
    client_record.responsible_officer = UserFactory(unit=unit, roles=[Role.CASE_OFFICER], is_active=False)
    client_record.save()

    log(client, order, pilot, RENT_UNPAID)

    assert Signal.objects.get().recipient == case_officer
    assert Notification.objects.get().user == case_officer


def test_when_both_accounts_are_closed_the_units_case_officers_hear_of_it(client, order, pilot, case_officer, unit):
    case_officer.is_active = False
    case_officer.save()
    colleague = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])

    log(client, order, pilot, RENT_UNPAID)

    assert Signal.objects.get().recipient == case_officer
    assert list(Notification.objects.values_list("user", flat=True)) == [colleague.pk]


def test_a_new_complaint_is_registered_on_the_apartment_and_told_once(
    client, order, pilot, case_officer, tenancy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log(client, order, pilot, COMPLAINT)

    signal = Signal.objects.get()
    assert (signal.kind, signal.text) == (SignalKind.COMPLAINT, "Grannen klagar på hög musik på natten.")
    complaint = Complaint.objects.get()
    assert (complaint.apartment, complaint.tenancy, complaint.kind, complaint.source, complaint.registered_by,
            complaint.occurred_on, complaint.description) == (
        tenancy.apartment, tenancy, ComplaintKind.DISTURBANCE, ComplaintSource.STAFF, pilot,
        timezone.localdate(), "Grannen klagar på hög musik på natten.",
    )
    # The apartment register told the case officer; the signal does not
    # tell them again.
    assert list(Notification.objects.values_list("user", "text")) == [
        (case_officer.pk, "Nytt klagomål på lägenhet LGH-1234")
    ]
    assert len(mail.outbox) == 1


def test_rent_and_a_complaint_on_one_visit(client, order, pilot, case_officer, tenancy):
    log(client, order, pilot, {**COMPLAINT, "rent_paid": ChecklistAnswer.NO})

    assert sorted(Signal.objects.values_list("kind", flat=True)) == [SignalKind.COMPLAINT, SignalKind.RENT_UNPAID]
    assert sorted(Notification.objects.filter(user=case_officer).values_list("text", flat=True)) == [
        "Nytt klagomål på lägenhet LGH-1234", f"Signal: hyran inte betald (uppdrag #{order.pk})",
    ]


def test_the_signal_tells_the_case_officer_whom_the_apartment_register_did_not(
    client, order, pilot, case_officer, client_record, tenancy
):
    # No responsible case officer: the register tells nobody (the tenancy has
    # no decision), the signal goes to the case officer who ordered.
    client_record.responsible_officer = None
    client_record.save()

    log(client, order, pilot, COMPLAINT)

    assert list(Notification.objects.values_list("user", "text")) == [
        (case_officer.pk, f"Signal: nytt klagomål eller ny skada (uppdrag #{order.pk})")
    ]


def test_a_complaint_without_an_apartment_still_signals(client, order, pilot, case_officer):
    response = log(client, order, pilot, COMPLAINT)

    assert not Complaint.objects.exists()
    assert Signal.objects.get().kind == SignalKind.COMPLAINT
    assert Notification.objects.get().user == case_officer
    html = client.get(response["Location"]).content.decode()
    assert "registrerades inte på någon lägenhet" in html


@pytest.mark.parametrize(("kind", "outcome", "reason"), [
    (VisitKind.LOOK_IN, VisitOutcome.CANCELLED_BY_CLIENT, "forgot"),
    (VisitKind.LOOK_IN, VisitOutcome.NOBODY_HOME, ""),
    (VisitKind.MEETING, VisitOutcome.DONE, ""),
    (VisitKind.ESCORT, VisitOutcome.DONE, ""),
])
def test_the_checklist_belongs_to_a_done_look_in_or_follow_up(client, order, pilot, kind, outcome, reason):
    response = log(client, order, pilot, RENT_UNPAID, kind=kind, outcome=outcome, cancel_reason=reason)

    assert response.status_code == 200
    assert response.context["checklist_form"].non_field_errors() == [
        "Checklistan fylls i vid en tittin eller kvartalsuppföljning som blev av. Töm den, eller ändra "
        "besökets typ och utfall."
    ]
    assert order.visits.count() == 1
    assert not Signal.objects.exists()


def test_a_quarterly_follow_up_takes_the_checklist(client, order, pilot):
    log(client, order, pilot, RENT_UNPAID, kind=VisitKind.QUARTERLY_FOLLOW_UP)

    assert Signal.objects.get().visit.kind == VisitKind.QUARTERLY_FOLLOW_UP


def test_a_begun_checklist_must_be_answered_in_full(client, order, pilot):
    response = log(client, order, pilot, {"rent_paid": ChecklistAnswer.NO})

    errors = response.context["checklist_form"].errors
    assert set(errors) == {"insurance_valid", "housing_search_active", "treatment_followed"}
    assert errors["insurance_valid"] == ["Svara ja, nej eller ej aktuellt."]
    assert order.visits.count() == 1
    assert not Signal.objects.exists()


def test_a_complaint_is_ticked_and_described(client, order, pilot):
    response = log(client, order, pilot, {**ALL_IN_ORDER, "new_complaint": "on"})
    errors = response.context["checklist_form"].errors
    assert errors["complaint_description"] == ["Beskriv klagomålet eller skadan."]
    assert errors["complaint_kind"] == ["Välj typ av klagomål."]

    response = log(client, order, pilot, {**ALL_IN_ORDER, "complaint_description": "Trasig dörr"})
    assert "new_complaint" in response.context["checklist_form"].errors
    assert order.visits.count() == 1


def test_an_unregistered_person_has_no_checklist(client, unit, case_officer, pilot, third_pilot):
    order = outreach_order(unit, case_officer, state=OrderState.IN_PROGRESS, active_pilot=pilot,
                           passive_pilot=third_pilot, sent_at=timezone.now() - timedelta(days=3))

    response = log(client, order, pilot, RENT_UNPAID, passive=third_pilot)

    assert "registrerad klient" in response.context["checklist_form"].non_field_errors()[0]
    assert not order.visits.exists()


def test_the_signal_rows_are_in_the_access_log(client, order, pilot, client_record):
    log(client, order, pilot, RENT_UNPAID)

    signal = Signal.objects.get()
    row = AccessLogEntry.objects.get(object_type="bolots.signal")
    assert (row.action, row.object_id, row.client_id) == (AccessAction.CREATE, str(signal.pk), client_record.pk)


def test_the_form_links_the_housing_search_item_to_the_clients_search_page(client, order, pilot, client_record):
    client.force_login(pilot)
    html = client.get(reverse("bolots:visit_create", args=[order.pk])).content.decode()

    search_url = reverse("bolots:housing_search", args=[client_record.pk])
    assert f'href="{search_url}"' in html
