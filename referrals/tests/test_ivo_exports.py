"""The IVO pages: the quarter's list of individual reports, one report as a
screen laid out like IVO's form, CSV and PDF of one report and of the
quarter, the council statistics (page, CSV, PDF); who may reach them, and
the access log they write. A person with protected personal data is
reported, with the mark, and shown only to users allowed to see them."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessAction, AccessLogEntry
from core import personnummer
from referrals.models import DecisionKind, OfferAnswer, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, OfferFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")

MAN = personnummer.make_number(date(1985, 3, 14), 231)
WOMAN = personnummer.make_number(date(1990, 7, 2), 248)
HIDDEN = personnummer.make_number(date(1975, 1, 9), 262)


@pytest.fixture
def report_data(unit, case_officer):
    """Q2 2025: a waiting training decision (man) with an offer, partly
    executed; an interruption resumed in the quarter after becoming
    reportable (woman); and a protected person's waiting decision."""
    # Names no other text on the pages can contain, so that "name absent"
    # assertions mean something.
    man = ClientFactory(unit=unit, personal_number=MAN, first_name="Ivar", last_name="Kvartalsson")
    woman = ClientFactory(unit=unit, personal_number=WOMAN, first_name="Iva", last_name="Rapportsdotter")
    hidden = ClientFactory(unit=unit, personal_number=HIDDEN, first_name="Dold", last_name="Skyddadsson",
                           protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    waiting = DecisionFactory(
        client=man, decided_by=case_officer, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2025, 1, 10),
        delay_reason="Brist på lägenheter", consequences="Bor kvar på härbärge", interim_support="Boendestöd",
        partly_executed_on=date(2025, 2, 1), unexecuted_part="Lägenheten",
    )
    OfferFactory(decision=waiting, offered_on=date(2025, 3, 3), description="Lägenhet Fiktiva gatan 1",
                 answer=OfferAnswer.DECLINED, note="För långt bort")
    executed = DecisionFactory(client=woman, decided_by=case_officer, decided_on=date(2024, 5, 2),
                               executed_on=date(2024, 6, 1))
    # Interrupted 3 Feb: reportable from 4 May; resumed 15 June.
    InterruptionFactory(decision=executed, started_on=date(2025, 2, 3), ended_on=date(2025, 6, 15), reason="Sjukhus")
    protected = DecisionFactory(client=hidden, decided_by=case_officer, decided_on=date(2025, 2, 1),
                                delay_reason="Väntar på lägenhet i Hemligby")
    return {"man": man, "woman": woman, "hidden": hidden, "waiting": waiting, "executed": executed,
            "protected": protected}


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.fixture
def protected_officer(client, case_officer):
    """The case officer with the permission to see protected people."""
    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(case_officer)
    return client


def number(value):
    return personnummer.format_digits(value)


def screen(decision, subject="beslut", year=2025, quarter=2, suffix=""):
    name = "referrals:ivo_individual_report" + (f"_{suffix}" if suffix else "")
    return reverse(name, args=[year, quarter, subject, decision.pk])


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- Choosing the quarter ------------------------------------------------------------


def test_index_redirects_to_the_chosen_quarter(officer):
    response = officer.get(reverse("referrals:ivo_report"), {"year": "2025", "quarter": "2"})

    assert response["Location"] == reverse("referrals:ivo_report", args=[2025, 2])


def test_index_without_a_choice_shows_the_form(officer):
    html = officer.get(reverse("referrals:ivo_report")).content.decode()

    assert "individrapporter" in html
    assert 'name="quarter"' in html


@pytest.mark.parametrize("args", [(2025, 5), (2025, 0), (1999, 1), (2200, 1)])
def test_impossible_quarters_are_404(officer, args):
    assert officer.get(reverse("referrals:ivo_report", args=args)).status_code == 404


# --- The quarter's list -----------------------------------------------------------------


def test_list_has_one_line_per_report_with_numbers_and_links(officer, report_data, case_officer):
    response = officer.get(reverse("referrals:ivo_report", args=[2025, 2]))

    html = response.content.decode()
    assert number(MAN) in html and number(WOMAN) in html
    assert "K0" not in html, "no pseudonym any more"
    assert screen(report_data["waiting"]) in html
    assert screen(report_data["executed"], "avbrott") in html
    assert "Verkställt 2025-06-15" in html  # the interruption resumed during the quarter
    # The protected person: neither the line nor the number, but the count.
    assert number(HIDDEN) not in html and screen(report_data["protected"]) not in html
    assert "1 rapport gäller en person med skyddade personuppgifter" in html
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.user, entry.note) == (AccessAction.VIEW, case_officer, "2025 Q2: 2")
    # The persons shown are logged as read; the protected one is not.
    read = set(AccessLogEntry.objects.filter(object_type="referrals.client").values_list("client_id", flat=True))
    assert read == {report_data["man"].pk, report_data["woman"].pk}


def test_list_shows_protected_people_with_the_mark_to_those_allowed(protected_officer, report_data):
    html = protected_officer.get(reverse("referrals:ivo_report", args=[2025, 2])).content.decode()

    assert number(HIDDEN) in html
    assert "Skyddade personuppgifter" in html
    assert screen(report_data["protected"]) in html
    assert "kan inte se" not in html


def test_nothing_to_report_says_nothing_is_sent(officer, report_data):
    html = officer.get(reverse("referrals:ivo_report", args=[2024, 2])).content.decode()

    assert "Inget att rapportera för kvartalet. En enhet som inte har något att rapportera skickar ingenting" in html
    assert "Exportera som CSV" not in html


@pytest.mark.parametrize("extra", [0, 6])
def test_list_query_count_is_fixed(officer, report_data, unit, case_officer, extra, django_assert_num_queries):
    for _ in range(extra):
        decision = DecisionFactory(client=ClientFactory(unit=unit), decided_by=case_officer, decided_on=date(2025, 1, 5))
        OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
    # Base page ~9, the reports 2, the hidden count 1, the access-log rows 2
    # (the page's row and the reads, one insert): the same for 2 or 8 reports.
    with django_assert_num_queries(13):
        response = officer.get(reverse("referrals:ivo_report", args=[2025, 2]))
    assert len(response.context["reports"]) == 2 + extra


# --- One report as a screen ------------------------------------------------------------------


def test_screen_mirrors_ivos_form_section_by_section(officer, report_data, case_officer):
    response = officer.get(screen(report_data["waiting"]))

    html = response.content.decode()
    sections = ["Rapportuppgifter", "Uppgifter om individen", "Uppgifter om beslutet"]
    assert [html.index(heading) for heading in sections] == sorted(html.index(heading) for heading in sections)
    legal = report_data["waiting"].legal_basis
    for text in (number(MAN), "Man", "1985", "2025 Q2", "Ny rapport", "2025-01-10", "Träningslägenhet",
                 legal.code, legal.law, "Brist på lägenheter", "Bor kvar på härbärge", "Boendestöd",
                 "2025-03-03", "Lägenhet Fiktiva gatan 1", "Tackade nej", "För långt bort", "2025-02-01",
                 "Lägenheten", case_officer.unit.name, case_officer.unit.municipality):
        assert text in html, text
    assert "data-copy-target" in html and "ivo-copy.js" in html
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_individual_report")
    assert (entry.action, entry.client_id, entry.object_id, entry.note) == (
        AccessAction.VIEW, report_data["man"].pk, str(report_data["waiting"].pk), "2025 Q2 beslut")


def test_screen_of_an_interruption(officer, report_data):
    html = officer.get(screen(report_data["executed"], "avbrott")).content.decode()

    assert "Avbrott" in html and "2025-02-03" in html and "Sjukhus" in html and "2025-06-15" in html
    # No decision report in Q2 for the executed decision itself.
    assert officer.get(screen(report_data["executed"])).status_code == 404


def test_the_executed_report_is_gone_the_next_quarter(officer, report_data):
    assert officer.get(screen(report_data["executed"], "avbrott", quarter=2)).status_code == 200
    assert officer.get(screen(report_data["executed"], "avbrott", quarter=3)).status_code == 404


def test_a_protected_persons_screen_has_the_mark(protected_officer, report_data):
    html = protected_officer.get(screen(report_data["protected"])).content.decode()

    assert number(HIDDEN) in html
    assert "Personen har skyddade personuppgifter." in html
    assert "Väntar på lägenhet i Hemligby" in html


@pytest.mark.parametrize("suffix", ["", "csv", "pdf"])
def test_a_protected_persons_report_is_404_without_the_permission(officer, report_data, suffix):
    response = officer.get(screen(report_data["protected"], suffix=suffix))

    assert response.status_code == 404
    assert number(HIDDEN) not in response.content.decode(errors="replace")
    assert not AccessLogEntry.objects.filter(client_id=report_data["hidden"].pk).exists()


@pytest.mark.parametrize("subject", ["ny", "BESLUT", "x"])
def test_unknown_subjects_are_404(officer, report_data, subject):
    assert officer.get(screen(report_data["waiting"], subject)).status_code == 404


# --- CSV -------------------------------------------------------------------------------------


HEADER = [
    "Rapporteringsperiod", "Enhet", "Kommun", "Rapporten gäller", "Typ av rapport", "Personnummer",
    "Juridiskt kön", "Födelseår", "Informationsruta", "Beslutsdatum", "Typ av bistånd", "Lagrum",
    "Datum för avbrott", "Skäl till dröjsmålet", "Konsekvenser för personen", "Stöd under väntetiden",
    "Erbjudanden (datum, vad, svar)", "Delvis verkställt den", "Ej verkställd del", "Verkställt den",
    "Avslutat den", "Dagar i väntan",
]


def csv_lines(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_quarter_csv_is_semicolon_separated_utf8_with_bom(officer, report_data, case_officer, unit):
    response = officer.get(reverse("referrals:ivo_report_csv", args=[2025, 2]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ivo-2025-q2.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = csv_lines(response)
    assert lines[0] == HEADER
    legal = report_data["waiting"].legal_basis
    assert lines[1] == [
        "2025 Q2", unit.name, unit.municipality, "Ej verkställt beslut", "Ny rapport", number(MAN), "Man", "1985", "",
        "2025-01-10", "Träningslägenhet", f"{legal.code} ({legal.law})", "", "Brist på lägenheter",
        "Bor kvar på härbärge", "Boendestöd", "2025-03-03 Lägenhet Fiktiva gatan 1 (Tackade nej; För långt bort)",
        "2025-02-01", "Lägenheten", "", "", "171",
    ]
    # 3 Feb → 15 Jun = 132 days.
    assert lines[2][3:8] == ["Avbrott", "Verkställt", number(WOMAN), "Kvinna", "1990"]
    assert lines[2][12:14] == ["2025-02-03", "Sjukhus"]
    assert lines[2][19:] == ["2025-06-15", "", "132"]
    assert len(lines) == 3, "not the protected person"
    assert number(HIDDEN) not in response.content.decode("utf-8-sig")
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.note) == (AccessAction.EXPORT, "CSV 2025 Q2: 2")
    exported = AccessLogEntry.objects.filter(object_type="referrals.ivo_individual_report", action=AccessAction.EXPORT)
    assert {row.client_id for row in exported} == {report_data["man"].pk, report_data["woman"].pk}


def test_quarter_csv_has_the_protected_person_for_those_allowed(protected_officer, report_data):
    lines = csv_lines(protected_officer.get(reverse("referrals:ivo_report_csv", args=[2025, 2])))

    protected = next(line for line in lines if line[5] == number(HIDDEN))
    assert protected[8] == "Personen har skyddade personuppgifter."


def test_one_reports_csv(officer, report_data):
    response = officer.get(screen(report_data["waiting"], suffix="csv"))

    lines = csv_lines(response)
    assert lines[0] == HEADER and len(lines) == 2 and lines[1][5] == number(MAN)
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_individual_report")
    assert (entry.action, entry.client_id, entry.note) == (AccessAction.EXPORT, report_data["man"].pk,
                                                           "CSV 2025 Q2 beslut")


def test_csv_cells_cannot_run_as_formulas(officer, unit, case_officer):
    DecisionFactory(client=ClientFactory(unit=unit), decided_by=case_officer, decided_on=date(2025, 1, 10),
                    delay_reason="=HYPERLINK(\"http://example.org\")")

    text = officer.get(reverse("referrals:ivo_report_csv", args=[2025, 2])).content.decode("utf-8-sig")

    assert "'=HYPERLINK" in text


# --- PDF --------------------------------------------------------------------------------------


def test_quarter_pdf_has_a_report_per_person_and_no_protected_one(officer, report_data):
    response = officer.get(reverse("referrals:ivo_report_pdf", args=[2025, 2]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ivo-2025-q2.pdf"'
    text = pdf_text(response)
    assert number(MAN) in text and number(WOMAN) in text
    assert text.count("Rapportuppgifter") == 2
    for day in ("2025-01-10", "2025-02-03", "2025-06-15", "2025-03-03"):
        assert day in text
    assert number(HIDDEN) not in text and "Hemligby" not in text
    assert "skyddade personuppgifter" in text  # the count of reports others must send
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_report")
    assert (entry.action, entry.note) == (AccessAction.EXPORT, "PDF 2025 Q2: 2")


def test_one_reports_pdf_of_a_protected_person_for_those_allowed(protected_officer, report_data):
    response = protected_officer.get(screen(report_data["protected"], suffix="pdf"))

    text = pdf_text(response)
    assert number(HIDDEN) in text
    assert "Personen har skyddade personuppgifter." in text
    assert "Uppgifter om beslutet" in text
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_individual_report")
    assert (entry.action, entry.client_id) == (AccessAction.EXPORT, report_data["hidden"].pk)


# --- Statistics -------------------------------------------------------------------------------


def test_statistics_page_has_counts_and_no_identities(officer, report_data):
    response = officer.get(reverse("referrals:ivo_statistics", args=[2025]))

    html = response.content.decode()
    stats = {item.quarter: item for item in response.context["quarters"]}
    # Q2: man (training), woman (interruption of home support), protected (home support).
    assert stats[2].total == 3
    assert stats[2].by_gender == {"male": 1, "female": 1, "not_stated": 1}
    assert stats[2].by_kind[DecisionKind.TRAINING_APARTMENT] == 1
    assert stats[2].by_kind[DecisionKind.HOME_SUPPORT] == 2
    assert stats[2].by_waiting["up_to_6"] == 3
    assert stats[1].total == 0
    assert "Anges inte (skyddade personuppgifter)" in html and "Per väntetid" in html
    for client in (report_data["man"], report_data["woman"], report_data["hidden"]):
        assert number(client.personal_number) not in html
        assert client.last_name not in html
    assert not AccessLogEntry.objects.filter(client_id__isnull=False).exists(), "no person is read"
    entry = AccessLogEntry.objects.get(object_type="referrals.ivo_statistics")
    assert (entry.action, entry.note) == (AccessAction.VIEW, "2025")


def test_statistics_csv_and_pdf(officer, report_data):
    lines = csv_lines(officer.get(reverse("referrals:ivo_statistics_csv", args=[2025])))
    assert lines[0] == ["Indelning", "Grupp", "Kvartal 1", "Kvartal 2", "Kvartal 3", "Kvartal 4"]
    assert ["Per juridiskt kön", "Anges inte (skyddade personuppgifter)", "0", "1", "1", "1"] in lines
    assert lines[-1] == ["Totalt", "", "0", "3", "2", "2"]

    text = pdf_text(officer.get(reverse("referrals:ivo_statistics_pdf", args=[2025])))
    assert "Per typ av bistånd" in text and "Träningslägenhet" in text
    assert number(MAN) not in text and "Kvartalsson" not in text
    notes = set(AccessLogEntry.objects.filter(object_type="referrals.ivo_statistics").values_list("note", flat=True))
    assert notes == {"CSV 2025", "PDF 2025"}


# --- Who may reach what ---------------------------------------------------------------------

LIST_URLS = {
    "ivo_report": [],
    "ivo_report_q": [2025, 2],
    "ivo_report_csv": [2025, 2],
    "ivo_report_pdf": [2025, 2],
    "ivo_statistics": [2025],
    "ivo_statistics_csv": [2025],
    "ivo_statistics_pdf": [2025],
}
RECORD_URLS = ["ivo_individual_report", "ivo_individual_report_csv", "ivo_individual_report_pdf"]
URLS = [*LIST_URLS, *RECORD_URLS]
FORBIDDEN = dict.fromkeys(URLS, 403)
EXPECTED = {
    "case_officer": dict.fromkeys(URLS, 200),
    "manager": dict.fromkeys(URLS, 200),
    "pilot": FORBIDDEN,
    "second_pilot": FORBIDDEN,
    "housing_admin": FORBIDDEN,
    "system_admin": FORBIDDEN,
    # Lists: another unit's officer gets their own (empty) list; a report
    # of this unit is not found.
    "outside_officer": {**dict.fromkeys(LIST_URLS, 200), **dict.fromkeys(RECORD_URLS, 404)},
}


def url(name, decision):
    if name in RECORD_URLS:
        return reverse(f"referrals:{name}", args=[2025, 2, "beslut", decision.pk])
    return reverse(f"referrals:{name.removesuffix('_q')}", args=LIST_URLS[name])


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, report_data, name):
    response = client.get(url(name, report_data["waiting"]))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", URLS)
def test_status_per_role(client, users, report_data, who, name):
    client.force_login(users[who])

    assert client.get(url(name, report_data["waiting"])).status_code == EXPECTED[who][name]


def test_another_units_officer_sees_none_of_the_units_reports(client, users, report_data):
    client.force_login(users["outside_officer"])

    lines = client.get(url("ivo_report_csv", None)).content.decode("utf-8-sig").strip().splitlines()
    html = client.get(url("ivo_report_q", None)).content.decode()

    assert len(lines) == 1, "the header only"
    assert "skyddade personuppgifter" not in html, "not even the count of another unit's reports"
