"""Rent notice PDFs: what is printed (pypdf reads it back), a protected
tenant's address both ways, the month's combined file, who may fetch them
and the access log."""

import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry
from referrals.models.clients import ProtectionLevel
from rent.models import LineKind, NoticeKind, NoticeLine, RentNotice, RentSettings
from rent.ocr import is_valid_reference, notice_reference
from rent.services.notice_pdf import MONTH_PDF, NOTICE_PDF
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

PERIOD = date(2026, 12, 1)


def _text(content: bytes) -> list[str]:
    pages = PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().replace("\xa0", " ").split()) for page in pages]


def _notice(tenancy, *, rent=450_000, days=None, days_in_month=None, extra=(), period=PERIOD):
    amount = rent + sum(amount for _kind, _text, amount in extra)
    notice = RentNotice.objects.create(
        tenancy=tenancy, kind=NoticeKind.RENT, period=period, issued_on=date(2026, 11, 20),
        due_date=date(2026, 11, 30), amount=amount, booked_month=period,
    )
    notice.ocr = notice_reference(notice.pk)
    notice.save(update_fields=["ocr"])
    NoticeLine.objects.create(notice=notice, kind=LineKind.RENT, text=f"Hyra {period:%Y-%m} {tenancy.apartment.object_number}",
                              amount=rent, days=days, days_in_month=days_in_month)
    for kind, text, line_amount in extra:
        NoticeLine.objects.create(notice=notice, kind=kind, text=text, amount=line_amount)
    return notice


def _tenancy(unit, *, protected=False, street="Fiktiva gatan 7, lgh 1102"):
    apartment = ApartmentFactory(unit=unit, street_address=street, postal_code="186 31", object_number=f"TR-{street[-4:]}")
    tenancy = TenancyFactory(apartment=apartment, start_date=date(2025, 1, 1))
    if protected:
        tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
        tenancy.client.save()
    return tenancy


@pytest.fixture
def settings_row(unit):
    return RentSettings.objects.create(unit=unit, bankgiro="9912346", payee_name="Vallentuna kommun, Bolotsenheten")


@pytest.mark.django_db
def test_the_notice_prints_payee_bankgiro_ocr_amount_due_date_lines_name_and_address(
    client, housing_admin, settings_row
):
    tenancy = _tenancy(housing_admin.unit)
    notice = _notice(tenancy, rent=232_258, days=16, days_in_month=31,
                     extra=[(LineKind.CHARGE, "Extra nyckel", 35_000),
                            (LineKind.INSTALMENT, "Avbetalning enligt plan", 50_000)])
    client.force_login(housing_admin)

    response = client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk}))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"hyresavi-{notice.ocr}.pdf" in response["Content-Disposition"]
    (page,) = _text(response.content)
    assert is_valid_reference(notice.ocr) and notice.ocr in page
    assert "3 172,58 kr" in page  # 2 322,58 + 350 + 500
    assert "2 322,58 kr" in page and "16 av 31 dagar" in page
    assert "Extra nyckel" in page and "350,00 kr" in page and "Avbetalning enligt plan" in page
    assert "2026-11-30" in page
    assert "991-2346" in page and "Vallentuna kommun, Bolotsenheten" in page
    assert tenancy.client.full_name in page
    assert "Fiktiva gatan 7, lgh 1102" in page and "186 31" in page
    assert "Adresseras manuellt" not in page
    assert "Kontakta din bolots" in page


@pytest.mark.django_db
def test_the_units_own_text_replaces_the_standard_one(client, housing_admin, settings_row):
    settings_row.contact_text = "Ring Bolotsenheten på 08-123 456 före förfallodagen."
    settings_row.save()
    notice = _notice(_tenancy(housing_admin.unit))
    client.force_login(housing_admin)
    (page,) = _text(client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk})).content)
    assert "Ring Bolotsenheten på 08-123 456" in page and "Kontakta din bolots" not in page


@pytest.mark.django_db
def test_a_protected_tenants_notice_is_made_but_addressed_by_hand_without_the_permission(
    client, housing_admin, settings_row
):
    tenancy = _tenancy(housing_admin.unit, protected=True)
    notice = _notice(tenancy)
    client.force_login(housing_admin)

    (page,) = _text(client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk})).content)

    assert "Adresseras manuellt" in page
    assert tenancy.client.full_name in page and notice.ocr in page and "4 500,00 kr" in page
    assert "Fiktiva gatan" not in page and "186 31" not in page
    # Nor the apartment's object number from the rent line's own text.
    assert tenancy.apartment.object_number not in page


@pytest.mark.django_db
def test_a_user_with_the_permission_gets_the_protected_tenants_address(client, housing_admin, settings_row):
    housing_admin.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    tenancy = _tenancy(housing_admin.unit, protected=True)
    notice = _notice(tenancy)
    client.force_login(housing_admin)

    (page,) = _text(client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk})).content)

    assert "Adresseras manuellt" not in page
    assert "Fiktiva gatan 7, lgh 1102" in page


@pytest.mark.django_db
def test_the_months_file_has_a_page_per_notice_in_order_and_one_log_insert(client, housing_admin, settings_row):
    tenancies = [_tenancy(housing_admin.unit, street=f"Fiktiva gatan {n}, lgh 110{n}") for n in range(1, 4)]
    tenancies.append(_tenancy(housing_admin.unit, protected=True, street="Hemliga vägen 1, lgh 1001"))
    notices = [_notice(tenancy) for tenancy in tenancies]
    _notice(tenancies[0], period=date(2027, 1, 1))  # another month: not in the file
    other = _tenancy(UserFactory(roles=[Role.HOUSING_ADMIN]).unit)
    _notice(other)  # another unit: not in the file
    client.force_login(housing_admin)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 12}))

    assert response.status_code == 200
    assert "hyresavier-2026-12.pdf" in response["Content-Disposition"]
    pages = _text(response.content)
    assert len(pages) == 4
    for page, notice in zip(pages, notices, strict=True):
        assert notice.ocr in page and notice.tenancy.client.full_name in page
    assert "Adresseras manuellt" in pages[3] and "Hemliga" not in pages[3]
    assert "Fiktiva gatan 1, lgh 1101" in pages[0]
    rows = AccessLogEntry.objects.filter(object_type=MONTH_PDF)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted(t.client_id for t in tenancies)
    assert set(rows.values_list("user", "note")) == {(housing_admin.pk, "period 2026-12")}
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "audit_accesslogentry"')]
    assert len(inserts) == 1


@pytest.mark.django_db
def test_the_months_file_takes_a_fixed_number_of_queries(client, housing_admin, settings_row):
    def count(n):
        for i in range(n):
            _notice(_tenancy(housing_admin.unit, street=f"Gata {count.made + i}"))
        count.made += n
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 12})).status_code == 200
        return len(queries)

    count.made = 0
    client.force_login(housing_admin)
    client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 11}))  # warm the session and permission caches: the first page after a login fills them (issue 16 §1)
    assert count(1) == count(6) <= 12


@pytest.mark.django_db
def test_a_month_without_notices_says_so(client, housing_admin):
    client.force_login(housing_admin)
    response = client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 11}), follow=True)
    assert "Det finns inga hyresavier för 2026-11." in response.content.decode()


@pytest.mark.django_db
def test_a_notice_fetch_is_logged_as_an_export(client, housing_admin, settings_row):
    notice = _notice(_tenancy(housing_admin.unit))
    client.force_login(housing_admin)
    client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk}))
    row = AccessLogEntry.objects.get(object_type=NOTICE_PDF)
    assert (row.action, row.client_id, row.object_id, row.note) == (
        AccessAction.EXPORT, notice.tenancy.client_id, str(notice.pk), f"notice #{notice.pk}"
    )


@pytest.mark.django_db
def test_anonymous_go_to_the_login_page(client, unit):
    notice = _notice(_tenancy(unit))
    for url in (reverse("rent:notice_pdf", kwargs={"pk": notice.pk}),
                reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 12})):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_officer", "pilot", "manager"])
def test_other_roles_are_refused(client, users, role):
    notice = _notice(_tenancy(users["housing_admin"].unit))
    client.force_login(users[role])
    assert client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk})).status_code == 403
    assert client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 12})).status_code == 403


@pytest.mark.django_db
def test_another_units_housing_administrator_gets_404_and_nothing_of_ours(client, unit, other_unit):
    notice = _notice(_tenancy(unit))
    outsider = UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN])
    client.force_login(outsider)
    assert client.get(reverse("rent:notice_pdf", kwargs={"pk": notice.pk})).status_code == 404
    response = client.get(reverse("rent:month_notices_pdf", kwargs={"year": 2026, "month": 12}))
    assert response.status_code == 302  # none of theirs: back with a message
    assert not AccessLogEntry.objects.filter(client_id=notice.tenancy.client_id, user=outsider).exists()


@pytest.mark.django_db
def test_a_month_out_of_range_is_404(client, housing_admin):
    client.force_login(housing_admin)
    assert client.get("/hyra/avier/2026-13/pdf/").status_code == 404
    assert client.get("/hyra/avier/2026-00/pdf/").status_code == 404


@pytest.mark.django_db
def test_made_outside_a_request_the_months_file_logs_its_tenants_in_one_insert(housing_admin, settings_row):
    from audit.context import AuditContext
    from rent.services.notice_pdf import month_pdf

    tenancies = [_tenancy(housing_admin.unit, street=f"Fiktiva gatan {n}") for n in range(1, 3)]
    for tenancy in tenancies:
        _notice(tenancy)
    with CaptureQueriesContext(connection) as queries:
        filename, mimetype, content = month_pdf(AuditContext(user=housing_admin, path="task"), housing_admin.unit_id,
                                                PERIOD)
    assert (filename, mimetype) == ("hyresavier-2026-12.pdf", "application/pdf") and len(_text(content)) == 2
    rows = AccessLogEntry.objects.filter(client_id__in=[t.client_id for t in tenancies], user=housing_admin)
    assert rows.filter(object_type=MONTH_PDF).count() == 2
    assert len([q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_accesslogentry"')]) == 1
