"""The evaluation's own words in the yearly PDF (reports.evaluation,
reports.services.narrative.pdf_texts): the final texts in seed 001's
structure after the figures they refer to, drafts left out, and the PDF
refused, at the request and again in the task, while a final text has a
personal identity number or a client's name in it."""

import logging
from datetime import date

import pytest
from django.urls import reverse

from core.personnummer import make_number
from referrals.tests.factories import ClientFactory
from reports import evaluation, tasks
from reports.models import NarrativeSection, NarrativeText, ReportRun
from reports.services import runs as run_services

from .evaluation_data import use_fake_engine
from .runs_helpers import eager_fixture, make_run, media_fixture  # noqa: F401
from .test_evaluation_pdf import body_text

pytestmark = pytest.mark.django_db
YEAR = 2025
NUMBER = make_number(date(1975, 6, 14), 432)
BAD_LUHN = NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10)


def write(unit, manager, section, text, state="final"):
    return NarrativeText.objects.create(unit=unit, year=YEAR, section=section, text=text, state=state,
                                        updated_by=manager)


@pytest.fixture
def texts(unit, manager):
    write(unit, manager, NarrativeSection.BACKGROUND,
          "Enheten startade bolotsverksamheten hösten 2016.\n\nUnder året tillkom en tredje bolots.")
    write(unit, manager, NarrativeSection.ORDERING_VIEWS, "Handläggarna uppskattar bolotsarnas snabba besök.")
    write(unit, manager, NarrativeSection.PROVIDING_VIEWS, "Bolotsarna ser att samarbetet med SBF har blivit bättre.")
    write(unit, manager, NarrativeSection.IMPROVEMENTS, "Avslutsorsakerna behöver registreras i varje ärende.")
    write(unit, manager, NarrativeSection.PROPOSALS, "Socialnämnden föreslås besluta att verksamheten blir ordinarie.")


def test_final_texts_in_the_structure_of_seed_001(monkeypatch, unit, texts):
    use_fake_engine(monkeypatch)
    text = body_text(evaluation.render_evaluation(YEAR, unit)[2])
    body = text[text.index("1. Bakgrund Socialförvaltningen"):]
    # The contents list the new sections with their pages.
    contents = text[:text.index("1. Bakgrund Socialförvaltningen")]
    for heading in ("4. Synpunkter från myndighet", "5. Synpunkter från utförare", "7.1 Förbättringsområden",
                    "9. Förslag till beslut"):
        assert heading in contents
    # In seed 001's chapters and order: background in chapter 1, both
    # sides' views as 4 and 5 right after "Verksamheten", the areas of
    # improvement as 7.1 under "Resultat", the proposed decisions as 9.
    positions = [body.index(part) for part in (
        "1. Bakgrund", "Enheten startade bolotsverksamheten hösten 2016.", "Under året tillkom en tredje bolots.",
        "2. Verksamhetsutveckling", "3. Verksamheten", "3.5 ",
        "4. Synpunkter från myndighet Handläggarna uppskattar bolotsarnas snabba besök.",
        "5. Synpunkter från utförare Bolotsarna ser att samarbetet med SBF har blivit bättre.", "6. Projektmål",
        "7. Resultat", "7.1 Förbättringsområden Avslutsorsakerna behöver registreras i varje ärende.",
        "7.2 Ärendemängd per bolots", "8. Sammanfattning",
        "9. Förslag till beslut Socialnämnden föreslås besluta att verksamheten blir ordinarie.",
    )]
    assert positions == sorted(positions)


def test_drafts_are_left_out(monkeypatch, unit, manager):
    use_fake_engine(monkeypatch)
    write(unit, manager, NarrativeSection.ORDERING_VIEWS, "Ett utkast som inte är klart.", state="draft")
    write(unit, manager, NarrativeSection.PROPOSALS, "Slutligt förslag till nämnden.")
    text = body_text(evaluation.render_evaluation(YEAR, unit)[2])
    # The draft is not printed; its chapter keeps its number and says no
    # text is final, so that the chapters stay those of earlier years.
    assert "Ett utkast som inte är klart." not in text
    assert "4. Synpunkter från myndighet Ingen fastställd text för 2025. 5. Synpunkter från utförare" in text
    assert "9. Förslag till beslut Slutligt förslag till nämnden." in text


@pytest.mark.parametrize(("text", "refused"), [
    (f"Ett ärende ({NUMBER[2:8]}-{NUMBER[8:]}) drog ut på tiden.", True),
    (f"Ett ärende ({NUMBER}) drog ut på tiden.", True),
    (f"Ärendenumret {BAD_LUHN[2:8]}-{BAD_LUHN[8:]} är inget personnummer.", False),
    ("Karl Lund flyttade till eget boende.", True),
    ("Lund är en stad och Karl ett vanligt namn.", False),
    ("Flyttlasset gick till Lund.", False),
])
def test_the_request_is_refused_while_a_final_text_has_personal_data(ctx, unit, manager, text, refused):
    ClientFactory(unit=unit, first_name="Karl", last_name="Lund")
    write(unit, manager, NarrativeSection.IMPROVEMENTS, text)
    if refused:
        with pytest.raises(run_services.RunError) as error:
            run_services.request_run(ctx(manager), YEAR)
        message = str(error.value)
        assert "Förbättringsområden: Stycke 1 innehåller" in message
        assert "allmän handling" in message
        assert NUMBER[2:8] not in message and "Lund" not in message
        assert not ReportRun.objects.exists()
    else:
        assert run_services.request_run(ctx(manager), YEAR).status == ReportRun.Status.QUEUED


def test_a_draft_with_personal_data_does_not_stop_the_pdf(ctx, unit, manager):
    write(unit, manager, NarrativeSection.BACKGROUND, f"Utkast med {NUMBER}.", state="draft")
    assert run_services.request_run(ctx(manager), YEAR)


def test_the_request_page_says_why_and_which_drafts_are_left_out(client, unit, manager, eager, media, monkeypatch):
    use_fake_engine(monkeypatch)
    client.force_login(manager)
    write(unit, manager, NarrativeSection.BACKGROUND, "Ett utkast.", state="draft")
    response = client.post(reverse("reports:run_list"), {"year": YEAR}, follow=True)
    assert "Texter som fortfarande är utkast skrivs inte ut: Bakgrund." in response.content.decode()
    write(unit, manager, NarrativeSection.PROPOSALS, f"Förslag om {NUMBER}.")
    response = client.post(reverse("reports:run_list"), {"year": YEAR})
    assert response.status_code == 200
    assert "Förslag till beslut: Stycke 1 innehåller något som ser ut som ett personnummer" in str(
        response.context["form"].errors["year"])


def test_the_task_checks_again_and_logs_no_personal_data(unit, manager, media, caplog):
    ClientFactory(unit=unit, first_name="Karl", last_name="Lund")
    run = make_run(manager)
    # Written after the request was checked.
    write(unit, manager, NarrativeSection.BACKGROUND, f"Karl Lund, {NUMBER}, flyttade.")
    with caplog.at_level(logging.INFO, logger="reports.tasks"):
        result = tasks.generate_evaluation.apply(args=(run.pk, run.year, run.requested_by_id)).get()
    run.refresh_from_db()
    assert result == run.status == ReportRun.Status.FAILED
    assert "Bakgrund: Stycke 1 innehåller något som ser ut som ett personnummer" in run.error
    assert "Stycke 1 innehåller namnet på en klient i enheten." in run.error
    assert not run.file
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "background" in logged
    assert "Lund" not in logged and NUMBER[2:8] not in logged and "Lund" not in run.error
