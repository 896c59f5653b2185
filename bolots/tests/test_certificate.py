"""The course certificate (kursintyg): a PDF generated on demand for a
completed enrolment, with the client's name but never the personal identity
number, and an export row in the access log."""

import io
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessAction, AccessLogEntry
from bolots.models import CourseSession
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import attend_directly, enrol_directly, make_course_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(unit, pilot, second_pilot, client_record):
    accepted_order(pilot, make_pilot(unit, "bolots_passiv"), client=client_record)
    course_round = make_course_round(unit, [pilot, second_pilot], date(2026, 3, 2), place="Träffpunkten, Storgatan 1")
    # An edited topic is what the certificate shows.
    CourseSession.objects.filter(round=course_round, number=2).update(topic="Ordningsregler och grannsämja")
    enrolment = enrol_directly(course_round, client_record)
    for number in (1, 2, 4):
        attend_directly(enrolment, number)
    # Session 3 (2026-03-16) missed and made up on 2026-03-26: complete then.
    attend_directly(enrolment, 3, attended=False, made_up_on=date(2026, 3, 26))
    enrolment.completed_on = date(2026, 3, 26)
    enrolment.save()
    return enrolment


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@override_settings(BOLOTS_UNIT_NAME="Bolotsenheten Vallentuna")
def test_the_certificate_names_the_client_the_dates_topics_and_leaders(client, pilot, second_pilot, enrolment, unit):
    client.force_login(pilot)

    response = client.get(reverse("bolots:course_certificate", args=[enrolment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="kursintyg-{enrolment.pk}.pdf"'
    text = pdf_text(response)
    assert "Kursintyg" in text and "Boendekurs" in text
    assert enrolment.client.full_name in text
    assert "2026-03-02 – 2026-03-23" in text, "the course dates, first to last session"
    assert "Genomförd 2026-03-26" in text
    for topic in [
        "Vad en träningslägenhet enligt socialtjänstlagen innebär, och bolotsens roll",
        "Ordningsregler och grannsämja",
        "Bostadsbristen och hur man söker bostad",
        "Förväntningar och egna mål; budget- och skuldrådgivning",
    ]:
        assert topic in text
    assert pilot.get_full_name() in text and second_pilot.get_full_name() in text
    assert "Bolotsenheten Vallentuna" in text
    assert f"{unit.name}, {unit.municipality}" in text


def test_the_certificate_never_shows_the_personal_identity_number(client, pilot, enrolment):
    client.force_login(pilot)
    number = enrolment.client.personal_number  # 12 digits

    text = pdf_text(client.get(reverse("bolots:course_certificate", args=[enrolment.pk])))

    compact = text.replace("-", "").replace(" ", "")
    assert number not in compact and number[2:] not in compact
    assert number[-4:] not in text
    assert enrolment.client.street_address not in text


def test_the_export_is_logged_with_the_client(client, case_officer, enrolment):
    client.force_login(case_officer)
    url = reverse("bolots:course_certificate", args=[enrolment.pk])

    client.get(url)

    row = AccessLogEntry.objects.get(path=url)
    assert (row.action, row.object_type, row.client_id, row.user) == (
        AccessAction.EXPORT, "bolots.course_certificate", enrolment.client_id, case_officer,
    )
    assert row.client_label == enrolment.client.full_name


def test_no_certificate_before_completion(client, pilot, enrolment):
    enrolment.completed_on = None
    enrolment.save()
    client.force_login(pilot)

    response = client.get(reverse("bolots:course_certificate", args=[enrolment.pk]), follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert "Kursintyg ges först när alla fyra träffarna är genomförda." in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


def test_an_outsider_gets_404_and_nothing_is_logged(client, outside_officer, second_pilot, enrolment):
    for user in (outside_officer, second_pilot):
        client.force_login(user)
        assert client.get(reverse("bolots:course_certificate", args=[enrolment.pk])).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_detail_page_links_the_certificate_of_completed_participants(client, pilot, enrolment):
    client.force_login(pilot)

    html = client.get(reverse("bolots:course_detail", args=[enrolment.round_id])).content.decode()

    assert reverse("bolots:course_certificate", args=[enrolment.pk]) in html
    assert "2026-03-26" in html
