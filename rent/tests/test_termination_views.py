"""The termination pages: permissions per view and role, the letters' text
(pypdf), a protected tenant's address, recording a delivery with a scan, the
bolots's signing page, the list of deadlines, the move-out form refusing an
end for arrears beside the field, and the eviction-prevention list showing
the deadline."""

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from referrals.models import ProtectionLevel
from rent.models import DeliveryMethod, LetterDelivery, LetterKind, TerminationStatus
from rent.services import terminations as services
from tenancies.models import EndReason

from .test_termination_helpers import in_arrears_fixture, media_in_tmp_fixture, pilot_of, set_today, tenancy_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

PDF = b"%PDF-1.4\n% scanned receipt\n"


@pytest.fixture
def started(ctx, in_arrears, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    return services.start_termination(ctx, in_arrears, date(2028, 1, 10))


def notified(ctx, termination, monkeypatch, day=date(2028, 1, 15)):
    set_today(monkeypatch, day)
    services.record_delivery(ctx, termination, LetterKind.TERMINATION, DeliveryMethod.SERVICE, day,
                             proof_file=SimpleUploadedFile("k.pdf", PDF, content_type="application/pdf"))
    termination.refresh_from_db()
    return termination


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def urls(termination):
    return {
        "list": reverse("rent:termination_list"),
        "start": reverse("rent:termination_start", args=[termination.tenancy_id]),
        "detail": reverse("rent:termination_detail", args=[termination.pk]),
        "letter": reverse("rent:termination_letter", args=[termination.pk, "termination"]),
        "sign": reverse("rent:termination_sign", args=[termination.pk]),
    }


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "start", "detail", "letter", "sign"])
def test_anonymous_users_go_to_the_login(client, started, name, settings):
    response = client.get(urls(started)[name])
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("role, allowed", [
    ("housing_admin", {"list", "start", "detail", "letter"}),
    ("case_officer", {"list", "detail"}),
    ("manager", {"list", "detail"}),
    ("pilot", set()),
])
def test_each_role_reaches_its_pages(client, started, users, role, allowed, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    client.force_login(users[role])
    for name in ("list", "start", "detail", "letter"):
        status = client.get(urls(started)[name]).status_code
        assert (status == 200) == (name in allowed), (role, name, status)
        if name not in allowed:
            assert status == 403
    # Only the client's own bolots signs; others lack the right or the order.
    assert client.get(urls(started)["sign"]).status_code in ({403} if role != "pilot" else {404})


def test_an_outsider_gets_404(client, started, other_unit):
    outsider = UserFactory(username="boende_annan", unit=other_unit, roles=[Role.HOUSING_ADMIN])
    client.force_login(outsider)
    for name in ("start", "detail", "letter"):
        assert client.get(urls(started)[name]).status_code == 404
    assert started.tenancy.client.full_name not in client.get(urls(started)["list"]).content.decode()


# --- Starting and the page ------------------------------------------------------------------


def test_the_administrator_starts_a_termination(client, housing_admin, in_arrears, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    client.force_login(housing_admin)
    url = reverse("rent:termination_start", args=[in_arrears.pk])
    assert "7 999,50 kr" in client.get(url).content.decode().replace("\xa0", " ")

    response = client.post(url, {"decided_on": "2028-01-10"})

    termination = in_arrears.arrears_terminations.get()
    assert response.status_code == 302 and response["Location"] == urls(termination)["detail"]
    assert termination.amount_owed == 799_950
    html = client.get(urls(termination)["detail"]).content.decode()
    assert "Inte än: de tre veckorna börjar när uppsägningen delgetts" in html


def test_a_refused_start_says_why_beside_the_date(client, housing_admin, tenancy, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    client.force_login(housing_admin)
    response = client.post(reverse("rent:termination_start", args=[tenancy.pk]), {"decided_on": "2028-01-10"})

    assert response.status_code == 200
    assert "Hyresgästen hade inga hyresskulder 2028-01-10" in response.content.decode()
    assert not tenancy.arrears_terminations.exists()


# --- The letters -----------------------------------------------------------------------------


def test_the_termination_letter_before_and_after_the_tenant_is_notified(client, housing_admin, started,
                                                                        ctx, monkeypatch):
    client.force_login(housing_admin)
    text = pdf_text(client.get(urls(started)["letter"]))
    assert "7 999,50 kr" in text
    assert "inom tre veckor från den dag du delgavs uppsägningen" in text
    assert "12 kap. 44 § jordabalken" in text
    assert "Socialnämnden har underrättats om uppsägningen" in text
    assert "9912346" in text and started.tenancy.rent_notices.order_by("due_date").first().ocr in text
    assert "Låtsasgatan 3" in text

    notified(ctx, started, monkeypatch)
    text = pdf_text(client.get(urls(started)["letter"]))
    assert "senast den 2028-02-05" in text
    assert AccessLogEntry.objects.filter(note="letter:termination", client_id=started.tenancy.client_id).exists()


def test_the_notice_to_the_board_states_the_exact_amount(client, housing_admin, started):
    client.force_login(housing_admin)
    text = pdf_text(client.get(reverse("rent:termination_letter", args=[started.pk, "board_notice"])))
    assert "Underrättelse till socialnämnden" in text
    assert "7 999,50 kr" in text and started.tenancy.client.full_name in text
    assert "12 kap. 44 § jordabalken" in text
    assert "Låtsasgatan 3" in text


def test_a_protected_tenants_address_is_left_for_manual_addressing(client, housing_admin, started):
    client_record = started.tenancy.client
    client_record.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    client_record.save()
    client.force_login(housing_admin)
    for letter in ("termination", "board_notice"):
        text = pdf_text(client.get(reverse("rent:termination_letter", args=[started.pk, letter])))
        assert "Adresseras manuellt" in text
        assert "Låtsasgatan" not in text


def test_an_unknown_letter_is_404(client, housing_admin, started):
    client.force_login(housing_admin)
    assert client.get(f"/hyra/uppsagning/{started.pk}/brev/annat/").status_code == 404


# --- Delivery -------------------------------------------------------------------------------


def test_recording_a_delivery_with_a_scan(client, housing_admin, started, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    set_today(monkeypatch, date(2028, 1, 15))
    client.force_login(housing_admin)
    url = reverse("rent:termination_delivery", args=[started.pk])
    refused = client.post(url, {"letter": "termination", "method": "service", "delivered_on": "2028-01-15"})
    assert refused.status_code == 200 and "Bifoga det inskannade mottagningsbeviset" in refused.content.decode()
    assert not LetterDelivery.objects.exists()

    scan = SimpleUploadedFile("kvitto.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"letter": "termination", "method": "service", "delivered_on": "2028-01-15",
                                 "proof": scan})

    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == TerminationStatus.RUNNING and started.recover_by == date(2028, 2, 5)


def test_the_bolots_signs_the_handing_over(client, started, unit, monkeypatch, second_pilot):
    pilot = pilot_of(started.tenancy.client, unit)
    set_today(monkeypatch, date(2028, 1, 20))
    client.force_login(second_pilot)
    assert client.get(urls(started)["sign"]).status_code == 404
    client.force_login(pilot)
    assert client.get(urls(started)["sign"]).status_code == 200

    unconfirmed = client.post(urls(started)["sign"], {"letter": "termination", "delivered_on": "2028-01-20"})
    assert unconfirmed.status_code == 200 and not LetterDelivery.objects.exists()
    response = client.post(urls(started)["sign"], {"letter": "termination", "delivered_on": "2028-01-20",
                                                   "confirm": "on"})

    assert response.status_code == 302
    delivery = LetterDelivery.objects.get()
    assert (delivery.delivered_by, delivery.method) == (pilot, DeliveryMethod.BY_HAND)
    started.refresh_from_db()
    assert started.recover_by == date(2028, 2, 10)


# --- The list of deadlines ----------------------------------------------------------------


def test_the_list_shows_days_left_with_few_queries(client, housing_admin, started, ctx, monkeypatch,
                                                   django_assert_max_num_queries):
    notified(ctx, started, monkeypatch)
    set_today(monkeypatch, date(2028, 2, 2))
    client.force_login(housing_admin)
    with django_assert_max_num_queries(12):
        html = client.get(urls(started)["list"]).content.decode()
    assert "2028-02-05" in html and "3 dagar kvar" in html


# --- The move-out form and the eviction-prevention list ---------------------------------


def test_the_move_out_form_refuses_an_end_for_arrears_beside_the_field(client, housing_admin, started):
    client.force_login(housing_admin)
    tenancy = started.tenancy
    response = client.post(reverse("tenancies:tenancy_move_out", args=[tenancy.pk]), {
        "move_out-end_date": "2028-01-31", "move_out-end_reason": EndReason.TERMINATED_ARREARS,
        "move_out-note": "", "move_out-version": tenancy.version,
    })

    assert response.status_code == 200
    form = response.context["move_out_form"]
    assert "Uppsägningen har inte delgetts hyresgästen" in form.errors["end_reason"][0]
    tenancy.refresh_from_db()
    assert tenancy.end_date is None


def test_the_eviction_prevention_list_shows_the_deadline(client, case_officer, started, ctx, monkeypatch):
    notified(ctx, started, monkeypatch)
    client.force_login(case_officer)
    html = client.get(reverse("referrals:notice_list")).content.decode()
    assert started.tenancy.client.full_name in html
    assert "2028-02-05" in html
