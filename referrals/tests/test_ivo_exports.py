"""The IVO report's page, CSV and PDF, the statistics page, who may reach
them, and the access log they write. The report never carries a personal
identity number."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessAction, AccessLogEntry
from core import personnummer
from referrals.models import DecisionKind, OfferAnswer, ProtectionLevel
from referrals.services import ivo
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, OfferFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")

MAN = personnummer.make_number(date(1985, 3, 14), 231)
WOMAN = personnummer.make_number(date(1990, 7, 2), 248)
HIDDEN = personnummer.make_number(date(1975, 1, 9), 262)


@pytest.fixture
def report_data(unit, case_officer):
    """Q2 2025: a waiting training decision (man), an interruption resumed
    in the quarter after becoming reportable (woman), and a protected
    client's waiting decision."""
    # Names no other text on the pages can contain (Faker's could collide
    # with the officer's), so that "name absent" assertions mean something.
    man = ClientFactory(unit=unit, personal_number=MAN, first_name="Ivar", last_name="Kvartalsson")
    woman = ClientFactory(unit=unit, personal_number=WOMAN, first_name="Iva", last_name="Rapportsdotter")
    hidden = ClientFactory(unit=unit, personal_number=HIDDEN, first_name="Dold", last_name="Skyddadsson",
                           protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    waiting = DecisionFactory(
        client=man, decided_by=case_officer, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2025, 1, 10),
        delay_reason="Brist på lägenheter",
    )
    OfferFactory(decision=waiting, offered_on=date(2025, 3, 3), description="Lägenhet Fiktiva gatan 1",
                 answer=OfferAnswer.DECLINED)
    executed = DecisionFactory(client=woman, decided_by=case_officer, decided_on=date(2024, 5, 2),
                               executed_on=date(2024, 6, 1))
    # Interrupted 3 Feb: reportable from 4 May; resumed 15 June.
    InterruptionFactory(decision=executed, started_on=date(2025, 2, 3), ended_on=date(2025, 6, 15), reason="Sjukhus")
    protected = DecisionFactory(client=hidden, decided_by=case_officer, decided_on=date(2025, 2, 1),
                                delay_reason="Väntar på lägenhet i Hemligby")
    return {"man": man, "woman": woman, "hidden": hidden, "waiting": waiting, "protected": protected}


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


def code(client):
    return f"{client.birth_date:%Y%m%d}-K{ivo.base32(client.pk)}"


def assert_no_identity_numbers(text, *numbers):
    for number in numbers:
        assert number not in text
        assert personnummer.format_digits(number) not in text
        assert f"{number[2:8]}-{number[8:]}" not in text


# --- Choosing the quarter ------------------------------------------------------------


def test_index_redirects_to_the_chosen_quarter(officer):
    response = officer.get(reverse("referrals:ivo_report"), {"year": "2025", "quarter": "2"})

    assert response["Location"] == reverse("referrals:ivo_report", args=[2025, 2])


def test_index_without_a_choice_shows_the_form(officer):
    html = officer.get(reverse("referrals:ivo_report")).content.decode()

    assert "Välj kvartal att rapportera." in html
    assert 'name="quarter"' in html


@pytest.mark.parametrize("args", [(2025, 5), (2025, 0), (1999, 1), (2200, 1)])
def test_impossible_quarters_are_404(officer, args):
    assert officer.get(reverse("referrals:ivo_report", args=args)).status_code == 404


# --- The page -------------------------------------------------------------------------


def test_report_page_rows_definition_and_log(officer, report_data, case_officer):
    response = officer.get(reverse("referrals:ivo_report", args=[2025, 2]))

    html = response.content.decode()
    assert code(report_data["man"]) in html and code(report_data["woman"]) in html
    assert "Personen har skyddade personuppgifter." in html
    assert "Hemligby" not in html
    assert "Identitetskoden är födelsedatum (ÅÅÅÅMMDD)" in html, "the code is defined on the page"
    assert "2025-06-15" in html  # resumption during the quarter
    assert "Lägenhet Fiktiva gatan 1" in html and "Tackade nej" in html
    assert_no_identity_numbers(html, MAN, WOMAN, HIDDEN)
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.object_type, entry.user, entry.note) == (
        AccessAction.VIEW, "referrals.ivo_report", case_officer, "2025 Q2: 3",
    )


@pytest.mark.parametrize("extra", [0, 6])
def test_report_page_query_count_is_fixed(officer, report_data, unit, case_officer, extra, django_assert_num_queries):
    for _ in range(extra):
        decision = DecisionFactory(client=ClientFactory(unit=unit), decided_by=case_officer, decided_on=date(2025, 1, 5))
        OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
    # Base page ~8 queries, the report 2, the access-log row 1.
    with django_assert_num_queries(12):
        response = officer.get(reverse("referrals:ivo_report", args=[2025, 2]))
    assert len(response.context["rows"]) == 3 + extra


# --- CSV ---------------------------------------------------------------------------------


def test_csv_is_semicolon_separated_utf8_with_bom(officer, report_data, case_officer):
    response = officer.get(reverse("referrals:ivo_report_csv", args=[2025, 2]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ivo-2025-q2.csv"'
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == [
        "Identitetskod (IVO)", "Juridiskt kön", "Beslutsdatum", "Typ av bistånd", "Datum för avbrott",
        "Skäl till dröjsmålet", "Erbjudanden (datum, vad, svar)",
        "Verkställighetsdatum, om verkställt sedan förra rapporten", "Avslutat den", "Dagar i väntan", "Anteckning",
    ]
    # Sorted by the start of the wait: 10 Jan, 1 Feb, 3 Feb.
    assert lines[1] == [
        code(report_data["man"]), "Man", "2025-01-10", "Träningslägenhet", "", "Brist på lägenheter",
        "2025-03-03 Lägenhet Fiktiva gatan 1 (Tackade nej)", "", "", "171", "",
    ]
    assert lines[2] == [
        "", "", "2025-02-01", "Boendestöd", "", "", "", "", "", "149", "Personen har skyddade personuppgifter.",
    ]
    # 3 Feb → 15 Jun = 132 days.
    assert lines[3] == [
        code(report_data["woman"]), "Kvinna", "2024-05-02", "Boendestöd", "2025-02-03", "Sjukhus", "", "2025-06-15",
        "", "132", "",
    ]
    assert len(lines) == 4
    assert_no_identity_numbers(text, MAN, WOMAN, HIDDEN)
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.object_type, entry.note) == (AccessAction.EXPORT, "referrals.ivo_report", "CSV 2025 Q2: 3")


def test_csv_cells_cannot_run_as_formulas(officer, unit, case_officer):
    DecisionFactory(client=ClientFactory(unit=unit), decided_by=case_officer, decided_on=date(2025, 1, 10),
                    delay_reason="=HYPERLINK(\"http://example.org\")")

    text = officer.get(reverse("referrals:ivo_report_csv", args=[2025, 2])).content.decode("utf-8-sig")

    assert "'=HYPERLINK" in text


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_has_codes_and_dates_and_never_an_identity_number(officer, report_data):
    response = officer.get(reverse("referrals:ivo_report_pdf", args=[2025, 2]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ivo-2025-q2.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert code(report_data["man"]) in text
    assert code(report_data["woman"]) in text
    for day in ("2025-01-10", "2024-05-02", "2025-02-03", "2025-06-15", "2025-03-03"):
        assert day in text
    assert "IVO-rapport, kvartal 2 2025" in text
    assert "skyddade personuppgifter" in text
    assert "Hemligby" not in text
    assert_no_identity_numbers(text.replace("\n", ""), MAN, WOMAN, HIDDEN)
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.note) == (AccessAction.EXPORT, "PDF 2025 Q2: 3")


# --- Statistics -----------------------------------------------------------------------------


def test_statistics_page_has_counts_and_no_identities(officer, report_data):
    response = officer.get(reverse("referrals:ivo_statistics", args=[2025]))

    html = response.content.decode()
    stats = {item.quarter: item for item in response.context["quarters"]}
    # Q2: man (training), woman (interruption of home support), protected (home support).
    assert stats[2].total == 3
    assert stats[2].by_gender == {"male": 1, "female": 1, "not_stated": 1}
    assert stats[2].by_kind[DecisionKind.TRAINING_APARTMENT] == 1
    assert stats[2].by_kind[DecisionKind.HOME_SUPPORT] == 2
    # Q1: none reportable yet (10 Jan → reportable 11 Apr).
    assert stats[1].total == 0
    assert "Anges inte (skyddade personuppgifter)" in html
    for client in (report_data["man"], report_data["woman"], report_data["hidden"]):
        assert code(client) not in html
        assert client.last_name not in html


# --- Who may reach what ---------------------------------------------------------------------

URLS = {
    "ivo_report": [],
    "ivo_report_q": [2025, 2],
    "ivo_report_csv": [2025, 2],
    "ivo_report_pdf": [2025, 2],
    "ivo_statistics": [2025],
}
FORBIDDEN = dict.fromkeys(URLS, 403)
EXPECTED = {
    "case_officer": dict.fromkeys(URLS, 200),
    "manager": dict.fromkeys(URLS, 200),
    "pilot": FORBIDDEN,
    "second_pilot": FORBIDDEN,
    "housing_admin": FORBIDDEN,
    "system_admin": FORBIDDEN,
    # Lists, not records: another unit's officer gets their own (empty) report.
    "outside_officer": dict.fromkeys(URLS, 200),
}


def url(name):
    return reverse(f"referrals:{name.removesuffix('_q')}", args=URLS[name])


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(url(name))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(URLS))
def test_status_per_role(client, users, who, name):
    client.force_login(users[who])

    assert client.get(url(name)).status_code == EXPECTED[who][name]


def test_another_units_officer_sees_none_of_the_units_rows(client, users, report_data):
    client.force_login(users["outside_officer"])

    csv_text = client.get(url("ivo_report_csv")).content.decode("utf-8-sig")

    assert len(csv_text.strip().splitlines()) == 1, "the header only"
