"""Registering, listing and editing concern reports."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import ConcernReport, Order, ProtectionLevel, ReporterType
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_notices import ConcernReportFactory

# session, user, the user's and the groups' permissions, the count and the
# page of records, the page's orders (one prefetch), the notification count,
# and the session save (savepoint, update, release).
QUERIES = 12  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)

CREATE = reverse("referrals:concern_create")


def form_data(**overrides):
    data = {
        "received_on": "2024-09-10",
        "reporter_type": ReporterType.POLICE,
        "reporter": "Polisen i Täby",
        "person_personal_number": "",
        "subject_name": "Kvinna i 40-årsåldern",
        "subject_address": "Trappuppgången Storgatan 3",
        "concern": "Fiktiv oro: sover i trapphuset.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, case_officer):
    client.force_login(case_officer)
    return client


def test_register_about_an_unregistered_person(officer_client, case_officer):
    response = officer_client.post(CREATE, form_data())

    concern = ConcernReport.objects.get()
    assert response["Location"] == reverse("referrals:concern_detail", args=[concern.pk])
    assert (concern.unit, concern.registered_by, concern.client) == (case_officer.unit, case_officer, None)
    assert concern.received_on == date(2024, 9, 10)
    assert concern.subject_name == "Kvinna i 40-årsåldern"
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.client_label) == (
        AccessAction.CREATE, "referrals.concernreport", "Kvinna i 40-årsåldern"
    )


def test_register_about_a_client_found_by_number(officer_client, client_record):
    officer_client.post(CREATE, form_data(person_personal_number=client_record.personal_number, subject_name=""))

    concern = ConcernReport.objects.get()
    assert concern.client == client_record
    assert AccessLogEntry.objects.get().client_id == client_record.pk


def test_a_place_alone_is_enough(officer_client):
    officer_client.post(CREATE, form_data(subject_name="", subject_address="Tältet vid badplatsen"))

    assert ConcernReport.objects.get().subject_label == "Tältet vid badplatsen"


def test_the_person_is_required(officer_client):
    response = officer_client.post(CREATE, form_data(subject_name="", subject_address=""))

    html = response.content.decode()
    assert "id_subject_name_error" in html
    assert "Ange personens personnummer" in html
    assert ConcernReport.objects.count() == 0


def test_another_units_client_is_not_found(officer_client, other_unit):
    stranger = ClientFactory(unit=other_unit, first_name="Hemlig", last_name="Annanstad")

    response = officer_client.post(CREATE, form_data(person_personal_number=stranger.personal_number))

    html = response.content.decode()
    assert "id_person_personal_number_error" in html and "Hemlig" not in html
    assert ConcernReport.objects.count() == 0


def test_the_concern_text_is_required(officer_client):
    response = officer_client.post(CREATE, form_data(concern=""))

    assert "id_concern_error" in response.content.decode()
    assert ConcernReport.objects.count() == 0


def test_edit_keeps_history(officer_client, case_officer, unit):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer)
    url = reverse("referrals:concern_edit", args=[concern.pk])

    response = officer_client.post(url, form_data(
        received_on="2024-09-10", subject_name=concern.subject_name, subject_address=concern.subject_address,
        concern="Fiktiv oro, kompletterad.", version=concern.version,
    ))

    assert response.status_code == 302
    changed = set(FieldChange.objects.values_list("field", flat=True))
    assert {"concern", "reporter_type", "reporter"} <= changed
    assert "subject_name" not in changed


def test_concurrent_edit_is_detected(officer_client, case_officer, unit):
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer)
    url = reverse("referrals:concern_edit", args=[concern.pk])
    opened = form_data(subject_name=concern.subject_name, version=concern.version)
    officer_client.post(url, {**opened, "reporter": "Först sparad"})

    response = officer_client.post(url, {**opened, "reporter": "Min ändring"})

    assert "Någon annan sparade" in response.content.decode()
    concern.refresh_from_db()
    assert concern.reporter == "Först sparad"


def test_a_protected_clients_place_is_hidden(officer_client, case_officer, unit):
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.CONFIDENTIALITY_MARK,
                              first_name="Skyddad", last_name="Person")
    concern = ConcernReportFactory(unit=unit, registered_by=case_officer, client=protected, subject_name="",
                                   subject_address="Hemliga gränd 7")

    for url in (reverse("referrals:concern_list"), reverse("referrals:concern_detail", args=[concern.pk]),
                reverse("referrals:concern_edit", args=[concern.pk])):
        html = officer_client.get(url).content.decode()
        assert "Skyddad Person" in html and "Hemliga gränd" not in html, url

    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    officer_client.force_login(type(case_officer).objects.get(pk=case_officer.pk))
    assert "Hemliga gränd 7" in officer_client.get(reverse("referrals:concern_detail", args=[concern.pk])).content.decode()


def test_the_client_tab_lists_the_clients_notices_and_concerns(officer_client, case_officer, unit, client_record):
    from referrals.tests.factories_notices import EvictionNoticeFactory

    EvictionNoticeFactory(unit=unit, registered_by=case_officer, client=client_record, tenant_name="",
                          landlord="Fiktiva Bostäder AB")
    ConcernReportFactory(unit=unit, registered_by=case_officer, client=client_record, subject_name="")
    ConcernReportFactory(unit=unit, registered_by=case_officer, subject_name="Någon annan")

    html = officer_client.get(reverse("referrals:client_notices", args=[client_record.pk])).content.decode()

    assert "Fiktiva Bostäder AB" in html
    assert "Granne" in html
    assert "Någon annan" not in html
    log = AccessLogEntry.objects.get()
    assert (log.action, log.client_id) == (AccessAction.VIEW, client_record.pk)


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow_with_rows(client, case_officer, unit, rows, django_assert_num_queries):
    clients = [ClientFactory(unit=unit) for _ in range(3)]
    for n in range(rows):
        concern = ConcernReportFactory(unit=unit, registered_by=case_officer,
                                       client=clients[n % 3] if n % 2 else None,
                                       subject_name="" if n % 2 else f"Person {n}")
        Order.objects.create(unit=unit, kind="outreach", concern_report=concern, client=concern.client,
                             subject_name=concern.subject_name, ordered_by=case_officer, assignment="Fiktivt.")
    client.force_login(case_officer)

    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("referrals:concern_list"))

    assert response.status_code == 200

