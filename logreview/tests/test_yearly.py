"""The yearly summary (logreview.yearly): the figures per month, a real PDF
with no client identity in it, and the download logged."""

from datetime import date
from subprocess import run

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from logreview.models import Outcome, ReviewMonth, Verdict
from logreview.yearly import totals, yearly_rows
from referrals.tests.factories import ClientFactory

from .factories import log_row, review_item, review_month


@pytest.fixture
def year_of_reviews(unit, manager, case_officer, pilot):
    october = review_month(unit, date(2026, 10, 1), reads=300, signed_off_by=manager, signed_off_at=timezone.now())
    november = review_month(unit, date(2026, 11, 1), reads=250)
    review_month(unit, date(2025, 12, 1), reads=999)  # another year
    people = [ClientFactory(unit=unit, responsible_officer=case_officer, last_name="Hemligsson") for _ in range(5)]
    review_item(october, log_row(pilot, client=people[0]), rules=["protected"], verdict=Verdict.JUSTIFIED)
    review_item(october, log_row(pilot, client=people[1]), rules=["off_hours", "staff"],
                verdict=Verdict.INVESTIGATE, outcome=Outcome.UNAUTHORISED)
    review_item(october, log_row(case_officer, client=people[2]), sampled=True, verdict=Verdict.JUSTIFIED)
    review_item(november, log_row(pilot, client=people[3]), rules=["no_errand"], verdict=Verdict.INVESTIGATE)
    review_item(november, log_row(case_officer, client=people[4]), sampled=True)
    return october, november, people


def test_figures_per_month(year_of_reviews, manager):
    october, november, _people = year_of_reviews
    rows = yearly_rows(ReviewMonth.objects.filter(unit=october.unit), 2026)
    assert [(r.month, r.reads, r.items, r.flagged, r.sampled, r.justified, r.investigated, r.unauthorised,
             r.justified_after, r.open_investigations) for r in rows] == [
        (date(2026, 10, 1), 300, 3, 2, 1, 2, 1, 1, 0, 0),
        (date(2026, 11, 1), 250, 2, 1, 1, 0, 1, 0, 0, 1),
    ]
    assert rows[0].signed_off_by == manager.get_full_name() and rows[1].signed_off_at is None
    assert totals(rows)["reads"] == 550 and totals(rows)["investigated"] == 2


def test_the_pdf_has_the_figures_and_no_client_and_is_logged(client, manager, year_of_reviews, tmp_path):
    october, _november, people = year_of_reviews
    client.force_login(manager)
    response = client.get(reverse("logreview:yearly_pdf", args=[2026]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)
    text = run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Loggranskning 2026" in text and "2026-10" in text and "2026-11" in text
    assert "550" in text and "999" not in text
    assert "Obehörig" in text  # the column heading (wrapped in the cell)
    for person in people:
        assert person.last_name not in text and person.personal_number not in text
    row = AccessLogEntry.objects.get(user=manager, action=AccessAction.EXPORT)
    assert (row.object_type, row.note) == ("logreview.yearly", "yearly summary 2026")
    assert row.client_id is None


def test_a_year_without_reviews_is_not_found(client, manager, year_of_reviews):
    client.force_login(manager)
    assert client.get(reverse("logreview:yearly_pdf", args=[2019])).status_code == 404
