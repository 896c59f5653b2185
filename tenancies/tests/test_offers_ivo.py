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
