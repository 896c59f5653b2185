"""The payment pages: who may (anonymous, wrong role, other unit, the
housing administrator), the upload with line-numbered errors beside the
field, the queue and file list in pinned query counts, matching by hand,
paying back, and a manual payment refused without its note."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from referrals.models.clients import ProtectionLevel
from rent.models import BgMaxFile, BgMaxImportJob, Payment, PaymentSource, RentNotice
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings
from .test_bgmax_parser import HAND_WRITTEN, hand_written_bytes

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
DEC = date(2026, 12, 1)


@pytest.fixture
def tenancy(unit):
    rent_settings(unit)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client__first_name="Anna",
                          client__last_name="Andersson")


@pytest.fixture
def stray(unit, tenancy):
    record = BgMaxFile.objects.create(unit=unit, sha256="1" * 64, filename="nov.bgmax")
    return Payment.objects.create(unit=unit, source=PaymentSource.BGMAX, paid_on=date(2026, 11, 28), amount=450000,
                                  reference="99999", bgmax_file=record, payer_name="ANNA ANDERSSON",
                                  payer_address="Hemliga vägen 1", booked_month=date(2026, 11, 1))


def urls(stray, tenancy):
    return {
        "upload": reverse("rent:bgmax_upload"),
        "files": reverse("rent:bgmax_files"),
        "queue": reverse("rent:payment_queue"),
        "match": reverse("rent:payment_match", args=[stray.pk]),
        "manual": reverse("rent:manual_payment", args=[tenancy.pk]),
    }


PAGES = ["upload", "files", "queue", "match", "manual"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_goes_to_login(client, stray, tenancy, page):
    response = client.get(urls(stray, tenancy)[page])
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ["case_officer", "pilot", "manager"])
@pytest.mark.parametrize("page", PAGES)
def test_other_roles_are_refused(client, users, stray, tenancy, role, page):
    client.force_login(users[role])
    assert client.get(urls(stray, tenancy)[page]).status_code == 403


@pytest.mark.parametrize("page", ["match", "manual"])
def test_another_units_housing_admin_gets_404(client, other_unit, stray, tenancy, page):
    client.force_login(UserFactory(username="annan_admin", unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(urls(stray, tenancy)[page]).status_code == 404


def test_another_units_admin_sees_neither_queue_nor_files(client, other_unit, stray):
    client.force_login(UserFactory(username="annan_admin", unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert "ANNA ANDERSSON" not in client.get(reverse("rent:payment_queue")).content.decode()
    assert "nov.bgmax" not in client.get(reverse("rent:bgmax_files")).content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_the_housing_admin_sees_every_page(client, housing_admin, stray, tenancy, page):
    client.force_login(housing_admin)
    assert client.get(urls(stray, tenancy)[page]).status_code == 200


def test_upload_imports_and_summarises(client, housing_admin, tenancy, django_capture_on_commit_callbacks):
    due = notice(tenancy, DEC)
    client.force_login(housing_admin)
    data = bgmax_bytes(payment(due.ocr, 450000), payment("99999", 1000))
    # The import is a job run after the commit (eagerly here: no broker).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rent:bgmax_upload"), {"file": SimpleUploadedFile("dec.bgmax", data)})
    job = BgMaxImportJob.objects.get()
    assert response["Location"] == reverse("rent:bgmax_job", args=[job.pk])
    text = client.get(response["Location"]).content.decode()
    assert "Import av dec.bgmax" in text
    assert "2 inbetalningar, 1 matchade automatiskt." in text
    assert "dec.bgmax" in client.get(reverse("rent:bgmax_files")).content.decode()
    assert RentNotice.objects.with_settled().get(pk=due.pk).outstanding == 0


def test_upload_errors_are_beside_the_field_with_line_numbers(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    lines = list(HAND_WRITTEN)
    lines[16] = "7000000009000000010000000200000002".ljust(80)
    response = client.post(reverse("rent:bgmax_upload"),
                           {"file": SimpleUploadedFile("bad.bgmax", hand_written_bytes(lines))})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"] == ["Filen avvisades och inget importerades (1 fel, se nedan)."]
    assert response.context["errors"] == [
        (17, "Slutposten anger 9 betalningsposter (20) men filen innehåller 3.")]
    assert "Slutposten anger 9 betalningsposter" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_duplicate_upload_is_refused(client, housing_admin, tenancy, django_capture_on_commit_callbacks):
    client.force_login(housing_admin)
    data = bgmax_bytes(payment("99999", 1000))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rent:bgmax_upload"), {"file": SimpleUploadedFile("a.bgmax", data)})
    response = client.post(reverse("rent:bgmax_upload"), {"file": SimpleUploadedFile("b.bgmax", data)})
    assert "Filen importerades redan den" in response.content.decode()
    assert Payment.objects.count() == 1


def test_queue_shows_suggestions_logs_them_and_never_an_address(client, housing_admin, stray, tenancy):
    notice(tenancy, DEC)
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    client.force_login(housing_admin)
    text = client.get(reverse("rent:payment_queue")).content.decode()
    assert "ANNA ANDERSSON" in text and "Anna Andersson" in text
    assert "samma belopp obetalt" in text and "liknande namn" in text
    assert "Hemliga vägen" not in text and tenancy.apartment.street_address not in text
    assert AccessLogEntry.objects.filter(user=housing_admin, client_id=tenancy.client_id,
                                         object_type="rent.payment_queue").exists()


def _queue_payments(unit, count):
    record = BgMaxFile.objects.create(unit=unit, sha256=f"{count:064d}", filename="many.bgmax")
    for index in range(count):
        tenant = TenancyFactory(apartment=ApartmentFactory(unit=unit), client__last_name=f"Efternamn{index}")
        notice(tenant, DEC, amount=1000 + index)
        Payment.objects.create(unit=unit, source=PaymentSource.BGMAX, paid_on=date(2026, 11, 28),
                               amount=1000 + index, reference="1", bgmax_file=record,
                               payer_name=f"Efternamn{index} Förnamn", booked_month=date(2026, 11, 1))


# The base page costs 8 (session, user, two permission queries, the unread
# notification count, the session save); a page naming tenants adds the log
# chain's lock and the read log's one insert (audit.reads): 10.
QUEUE_QUERIES = 9 + 4  # the count, the page, notices by amount, tenancies by name
FILES_QUERIES = 7 + 3  # the queue's count, the files' count, the page (with who imported)


@pytest.mark.parametrize("size", [3, 23])
def test_queue_query_count_is_the_same_for_3_and_23(client, housing_admin, unit, tenancy, size,
                                                    django_assert_num_queries):
    client.force_login(housing_admin)
    _queue_payments(unit, size)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("rent:payment_queue"))
    assert len(response.context["rows"]) == size
    assert all(row["suggestions"].by_amount for row in response.context["rows"])


@pytest.mark.parametrize("size", [3, 30])
def test_file_list_query_count_is_the_same_for_3_and_30(client, housing_admin, unit, size,
                                                        django_assert_num_queries):
    client.force_login(housing_admin)
    for index in range(size):
        BgMaxFile.objects.create(unit=unit, sha256=f"f{index:063d}", filename=f"{index}.bgmax",
                                 imported_by=housing_admin)
    with django_assert_num_queries(FILES_QUERIES):
        response = client.get(reverse("rent:bgmax_files"))
    assert len(response.context["page_obj"].object_list) == min(size, 25)


def test_matching_by_hand(client, housing_admin, stray, tenancy):
    due = notice(tenancy, DEC)
    client.force_login(housing_admin)
    page = client.get(reverse("rent:payment_match", args=[stray.pk]))
    assert (tenancy.pk, "Anna Andersson (förslag)") in page.context["match_form"].fields["tenancy"].choices
    response = client.post(reverse("rent:payment_match", args=[stray.pk]),
                           {"action": "match", "tenancy": tenancy.pk})
    assert response.status_code == 302
    stray.refresh_from_db()
    assert stray.tenancy == tenancy and stray.matched_by == housing_admin
    assert RentNotice.objects.with_settled().get(pk=due.pk).outstanding == 0
    assert AccessLogEntry.objects.filter(note="payment_matched", client_id=tenancy.client_id).exists()


def test_matching_to_another_units_tenancy_is_404(client, housing_admin, other_unit, stray):
    elsewhere = TenancyFactory(apartment=ApartmentFactory(unit=other_unit))
    client.force_login(housing_admin)
    response = client.post(reverse("rent:payment_match", args=[stray.pk]),
                           {"action": "match", "tenancy": elsewhere.pk})
    assert response.status_code == 200 and "tenancy" in response.context["match_form"].errors
    stray.refresh_from_db()
    assert stray.tenancy is None


def test_paying_back_needs_a_note(client, housing_admin, stray):
    client.force_login(housing_admin)
    url = reverse("rent:payment_match", args=[stray.pk])
    response = client.post(url, {"action": "return", "note": " "})
    assert response.context["return_form"].errors["note"] == [
        "Skriv varför inbetalningen betalas tillbaka (en anteckning krävs)."]
    client.post(url, {"action": "return", "note": "Fel mottagare, återbetald"})
    stray.refresh_from_db()
    assert stray.returned and not Payment.objects.unmatched().exists()


def test_manual_payment_without_note_is_refused_beside_the_field(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    url = reverse("rent:manual_payment", args=[tenancy.pk])
    today = timezone.localdate()
    response = client.post(url, {"source": "cash", "paid_on": today.isoformat(), "amount_kr": "4 500,00",
                                 "note": ""})
    assert response.context["form"].errors == {
        "note": ["Skriv hur betalningen togs emot (en anteckning krävs)."]}
    assert not Payment.objects.exists()
    response = client.post(url, {"source": "cash", "paid_on": (today + timedelta(days=1)).isoformat(),
                                 "amount_kr": "0", "note": "Kvitto 12"})
    assert set(response.context["form"].errors) == {"paid_on", "amount_kr"}


def test_manual_payment_is_registered_and_allocated(client, housing_admin, tenancy):
    due = notice(tenancy, DEC)
    client.force_login(housing_admin)
    today = timezone.localdate()
    response = client.post(reverse("rent:manual_payment", args=[tenancy.pk]), {
        "source": "transfer", "paid_on": today.isoformat(), "amount_kr": "1 000,50", "note": "Överföring från nordea"})
    assert response.status_code == 302
    made = Payment.objects.get()
    assert (made.amount, made.source, made.tenancy, made.note) == (100050, "transfer", tenancy,
                                                                   "Överföring från nordea")
    assert RentNotice.objects.with_settled().get(pk=due.pk).outstanding == 450000 - 100050
    assert AccessLogEntry.objects.filter(note="payment_manual", client_id=tenancy.client_id).exists()
