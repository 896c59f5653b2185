"""A declined apartment offer's reason reaches the IVO report: the
individual report's screen, the PDF's source table, the quarter's list and
both CSV exports (referrals.services.ivo, templates/referrals/ivo)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from referrals.models import DecisionKind, OfferDeclineReason
from referrals.services import ivo
from referrals.tests.factories import ClientFactory
from tenancies.services import offers as services

from .factories import ApartmentFactory, granted_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def declined(ctx, unit, case_officer):
    # Decided 10 Jan 2025: reportable from 11 Apr, so in Q2 2025's report.
    client = ClientFactory(unit=unit, first_name="Ivo", last_name="Nejsägarsson")
    decision = granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2025, 1, 10),
                                decided_by=case_officer)
    apartment = ApartmentFactory(unit=unit, rooms=2, street_address="Hemliga gränd 9")
    offer = services.make_offer(ctx, apartment, decision, date(2025, 3, 3), date(2025, 3, 15), date(2025, 3, 10))
    services.answer_offer(ctx, offer, False, date(2025, 3, 7), OfferDeclineReason.AREA, "Vill bo nära sin dotter",
                          version=offer.version)
    return decision


def _label():
    with translation.override("sv"):
        return str(OfferDeclineReason.AREA.label)


def test_the_report_objects_carry_the_reason(declined, case_officer):
    [report] = ivo.quarter_report(case_officer, 2025, 2)
    [line] = report.offers
    assert (line.offered_on, line.description, line.decline_reason, line.note) == (
        date(2025, 3, 3), "Träningslägenhet, 2 rum", _label(), "Vill bo nära sin dotter",
    )


def test_the_individual_report_screen_shows_the_reason(client, case_officer, declined):
    client.force_login(case_officer)

    response = client.get(reverse("referrals:ivo_individual_report", args=[2025, 2, "beslut", declined.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Skäl till att erbjudandet avböjdes" in body
    assert _label() in body and "Vill bo nära sin dotter" in body
    # The offers log never names the apartment.
    assert "Hemliga gränd" not in body


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("which", ["quarter", "one"])
def test_the_csv_exports_show_the_reason(client, case_officer, declined, which):
    client.force_login(case_officer)
    url = (
        reverse("referrals:ivo_report_csv", args=[2025, 2]) if which == "quarter"
        else reverse("referrals:ivo_individual_report_csv", args=[2025, 2, "beslut", declined.pk])
    )

    lines = _csv(client.get(url))

    column = lines[0].index("Erbjudanden (datum, vad, svar)")
    assert lines[1][column] == f"2025-03-03 Träningslägenhet, 2 rum (Tackade nej: {_label()}; Vill bo nära sin dotter)"


# --- The IVO row an apartment offer keeps is not edited on the decision page ---------------------
# (referrals.offer_keepers: the answer is changed through the offer, so the
# log and the offer cannot disagree.)


def _edit(decision, ivo_row):
    return reverse("referrals:decision_offer_edit", args=[decision.pk, ivo_row.pk])


def _edit_data(ivo_row, **changes):
    data = {"offered_on": ivo_row.offered_on.isoformat(), "description": ivo_row.description,
            "answer": ivo_row.answer, "note": ivo_row.note, "version": ivo_row.version}
    return {**data, **changes}


@pytest.mark.parametrize("changes", [
    {"answer": "accepted"}, {"offered_on": "2025-03-04"}, {"description": "Försökslägenhet, 3 rum"},
])
def test_the_service_refuses_to_change_a_kept_row(ctx, declined, changes):
    from audit.models import FieldChange
    from referrals.models import Offer
    from referrals.services.decisions import DecisionError, update_offer

    ivo_row = Offer.objects.get(decision=declined)
    edited = Offer.objects.get(pk=ivo_row.pk)
    for name, value in changes.items():
        setattr(edited, name, date.fromisoformat(value) if name == "offered_on" else value)
    history = FieldChange.objects.count()

    with pytest.raises(DecisionError) as refused:
        update_offer(ctx, edited, expected_version=ivo_row.version)

    assert "ledig lägenhet" in refused.value.messages[0]
    stored = Offer.objects.get(pk=ivo_row.pk)
    assert (stored.answer, stored.offered_on, stored.description, stored.version) == (
        ivo_row.answer, ivo_row.offered_on, ivo_row.description, ivo_row.version,
    )
    assert FieldChange.objects.count() == history


def test_the_note_of_a_kept_row_and_a_hand_made_row_stay_editable(ctx, declined):
    from referrals.models import Offer, OfferAnswer
    from referrals.services.decisions import record_offer, update_offer

    kept = Offer.objects.get(decision=declined)
    kept.note = "Dottern bor i Norr"
    assert update_offer(ctx, kept, expected_version=kept.version).note == "Dottern bor i Norr"

    by_hand = record_offer(ctx, declined, date(2025, 3, 20), "Lägenhet via bostadsförmedlingen",
                           OfferAnswer.NO_ANSWER, "")
    by_hand.answer = OfferAnswer.DECLINED
    assert update_offer(ctx, by_hand, expected_version=by_hand.version).answer == OfferAnswer.DECLINED


def test_the_decision_page_offers_no_edit_of_a_kept_row(ctx, client, case_officer, declined):
    from referrals.models import Offer, OfferAnswer
    from referrals.services.decisions import record_offer

    kept = Offer.objects.get(decision=declined)
    by_hand = record_offer(ctx, declined, date(2025, 3, 20), "Lägenhet via bostadsförmedlingen",
                           OfferAnswer.NO_ANSWER, "")
    client.force_login(case_officer)

    body = client.get(reverse("referrals:decision_detail", args=[declined.pk])).content.decode()

    assert "Träningslägenhet, 2 rum" in body  # the kept row is listed
    assert _edit(declined, kept) not in body
    assert _edit(declined, by_hand) in body


def test_posting_a_changed_answer_of_a_kept_row_gets_the_message(client, case_officer, declined):
    from referrals.models import Offer, OfferAnswer

    kept = Offer.objects.get(decision=declined)
    client.force_login(case_officer)

    response = client.post(_edit(declined, kept), _edit_data(kept, answer="accepted"))

    assert response.status_code == 200
    assert "erbjudandets egen sida" in response.content.decode()
    assert Offer.objects.get(pk=kept.pk).answer == OfferAnswer.DECLINED
