"""Culling a client empties what reviewers wrote about reads of them
(logreview.culling, docs/log-review.md "Culling"): the notes on the verdict
and the measures of a closed investigation become a neutral text naming the
culling reference, and their change history loses the old values."""

from datetime import date

import pytest

from audit.models import FieldChange
from culling.services.execution import execute_run
from culling.services.runs import approve_run, make_run
from culling.tests.files import date_back, full_file
from logreview import services
from logreview.culling import clear_notes, neutral_note
from logreview.models import Outcome, ReviewItem, Verdict

from .factories import log_row, review_item, review_month

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

OLD = date(2019, 6, 3)


@pytest.fixture
def old_file(unit, case_officer, pilot, second_pilot, other_unit):
    client = full_file(unit, case_officer, pilot, second_pilot, other_unit)
    date_back(client.pk, OLD)
    return client


def _reviewed(ctx, unit, reader, client, month=date(2026, 10, 1)):
    """Two reviewed reads of `client` whose notes name the person."""
    month = review_month(unit, month)
    justified = review_item(month, log_row(reader, client=client), rules=["no_errand"])
    investigated = review_item(month, log_row(reader, client=client), rules=["off_hours"])
    name = f"{client.first_name} {client.last_name}"
    services.judge_item(ctx, justified, verdict=Verdict.JUSTIFIED, note=f"{name} ringde om sin hyra",
                        expected_version=1)
    item = services.judge_item(ctx, investigated, verdict=Verdict.INVESTIGATE, note=f"Varför {name}?",
                               expected_version=1)
    services.close_investigation(ctx, item, outcome=Outcome.UNAUTHORISED,
                                 note=f"Samtal om {client.last_name}, grannen", expected_version=item.version)
    return justified, investigated


def test_culling_a_client_replaces_the_notes_about_reads_of_them(ctx, unit, case_officer, old_file, client_record):
    culled = _reviewed(ctx, unit, case_officer, old_file)
    kept = _reviewed(ctx, unit, case_officer, client_record, date(2026, 9, 1))
    history = FieldChange.objects.filter(object_type="logreview.reviewitem")
    assert history.filter(client_id=old_file.pk, new_value__contains=old_file.last_name).exists()

    run = approve_run(ctx, make_run(ctx, unit))
    assert run.candidates.filter(client=old_file).exists()
    execute_run(ctx, run.pk)

    reference = run.culled.get().reference
    for item in ReviewItem.objects.filter(pk__in=[item.pk for item in culled]):
        # The review stays: the verdicts, the outcome and who judged.
        assert item.verdict and item.reviewed_by is not None
        assert item.note == neutral_note(reference) == f"Borttaget vid gallring ({reference})."
        assert item.outcome_note in ("", neutral_note(reference))
    assert ReviewItem.objects.get(pk=culled[1].pk).outcome == Outcome.UNAUTHORISED
    assert ReviewItem.objects.get(pk=culled[1].pk).outcome_note == neutral_note(reference)
    # Nothing of the person in the items or their history.
    for field in ("note", "outcome_note"):
        assert not ReviewItem.objects.filter(**{f"{field}__contains": old_file.last_name}).exists()
    assert not history.filter(old_value__contains=old_file.last_name).exists()
    assert not history.filter(new_value__contains=old_file.last_name).exists()
    # Another client's notes are untouched.
    for item in ReviewItem.objects.filter(pk__in=[item.pk for item in kept]):
        assert client_record.last_name in item.note


def test_clearing_twice_changes_nothing_more(ctx, unit, case_officer, client_record):
    justified, _investigated = _reviewed(ctx, unit, case_officer, client_record)
    assert clear_notes(client_record.pk, "G-2026-0001") == 2
    version = ReviewItem.objects.get(pk=justified.pk).version
    assert clear_notes(client_record.pk, "G-2026-0001") == 0
    assert ReviewItem.objects.get(pk=justified.pk).version == version
