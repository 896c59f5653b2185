"""The review's rules (logreview.services): verdicts, own reads, versions,
investigations, sign-off and what a signed-off month still allows."""

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from logreview import services
from logreview.models import Outcome, ReviewItem, ReviewMonth, Verdict

from .factories import log_row, review_item, review_month

pytestmark = pytest.mark.acting_as("manager")


@pytest.fixture
def month(unit):
    return review_month(unit)


@pytest.fixture
def item(month, case_officer, client_record):
    return review_item(month, log_row(case_officer, client=client_record), rules=["off_hours"])


def test_justified_needs_a_note_and_is_saved_with_history(ctx, item):
    with pytest.raises(services.ReviewRefused) as refused:
        services.judge_item(ctx, item, verdict=Verdict.JUSTIFIED, note="  ", expected_version=item.version)
    assert refused.value.field == "note"
    assert ReviewItem.objects.get(pk=item.pk).verdict == ""

    services.judge_item(ctx, item, verdict=Verdict.JUSTIFIED, note="Uppdrag pågår", expected_version=1)

    stored = ReviewItem.objects.get(pk=item.pk)
    assert (stored.verdict, stored.note, stored.reviewed_by, stored.version) == (
        Verdict.JUSTIFIED, "Uppdrag pågår", ctx.user, 2)
    assert set(FieldChange.objects.filter(object_type="logreview.reviewitem").values_list("field", flat=True)) >= {
        "verdict", "note"}
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, object_type="logreview.reviewitem").exists()


def test_investigate_needs_no_note(ctx, item):
    services.judge_item(ctx, item, verdict=Verdict.INVESTIGATE, note="", expected_version=1)
    assert ReviewItem.objects.get(pk=item.pk).verdict == Verdict.INVESTIGATE


def test_a_stale_version_is_a_conflict_and_nothing_is_written(ctx, item):
    services.judge_item(ctx, item, verdict=Verdict.INVESTIGATE, note="", expected_version=1)
    stale = ReviewItem.objects.get(pk=item.pk)
    with pytest.raises(ConcurrentEditError):
        services.judge_item(ctx, stale, verdict=Verdict.JUSTIFIED, note="Annat", expected_version=1)
    assert ReviewItem.objects.get(pk=item.pk).verdict == Verdict.INVESTIGATE


def test_nobody_reviews_reads_of_their_own(ctx, month, manager, client_record):
    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])

    with pytest.raises(services.OwnRead):
        services.judge_item(ctx, own, verdict=Verdict.JUSTIFIED, note="Jag behövde", expected_version=1)
    assert ReviewItem.objects.get(pk=own.pk).verdict == ""
    assert not services.may_judge(manager, own, month)

    colleague = UserFactory(unit=month.unit, roles=[Role.MANAGER])
    services.judge_item(ctx(colleague), own, verdict=Verdict.INVESTIGATE, note="", expected_version=1)
    own.refresh_from_db()
    with pytest.raises(services.OwnRead):
        services.close_investigation(ctx, own, outcome=Outcome.JUSTIFIED, note="Inget", expected_version=own.version)
    assert ReviewItem.objects.get(pk=own.pk).outcome == ""


def test_an_investigation_is_closed_with_outcome_and_measures(ctx, item):
    with pytest.raises(services.ReviewRefused):  # not judged "investigate"
        services.close_investigation(ctx, item, outcome=Outcome.JUSTIFIED, note="x", expected_version=1)
    item = services.judge_item(ctx, ReviewItem.objects.get(pk=item.pk), verdict=Verdict.INVESTIGATE, note="",
                               expected_version=1)
    with pytest.raises(services.ReviewRefused) as refused:
        services.close_investigation(ctx, item, outcome=Outcome.UNAUTHORISED, note="", expected_version=2)
    assert refused.value.field == "outcome_note"

    services.close_investigation(ctx, item, outcome=Outcome.UNAUTHORISED, note="Samtal med HR, behörighet ändrad",
                                 expected_version=2)
    stored = ReviewItem.objects.get(pk=item.pk)
    assert (stored.outcome, stored.outcome_by, stored.outcome_at is not None) == (
        Outcome.UNAUTHORISED, ctx.user, True)
    # A closed investigation's verdict stays.
    with pytest.raises(services.ReviewRefused):
        services.judge_item(ctx, stored, verdict=Verdict.JUSTIFIED, note="Ändrat", expected_version=stored.version)


def test_sign_off_needs_every_item_judged_and_a_note(ctx, month, item, pilot, client_record):
    second = review_item(month, log_row(pilot, client=client_record), sampled=True)
    services.judge_item(ctx, item, verdict=Verdict.INVESTIGATE, note="", expected_version=1)

    with pytest.raises(services.ReviewRefused) as refused:
        services.sign_off(ctx, month, note="Klart")
    assert refused.value.code == "unjudged"
    with pytest.raises(services.ReviewRefused):
        services.sign_off(ctx, month, note=" ")

    services.judge_item(ctx, second, verdict=Verdict.JUSTIFIED, note="Besök", expected_version=1)
    # An open investigation does not block the sign-off.
    services.sign_off(ctx, month, note="Granskat, en utredning pågår")

    stored = ReviewMonth.objects.get(pk=month.pk)
    assert (stored.signed_off_by, stored.sign_off_note) == (ctx.user, "Granskat, en utredning pågår")
    assert AccessLogEntry.objects.filter(object_type="logreview.reviewmonth", note="log review sign-off").exists()
    with pytest.raises(services.ReviewRefused):
        services.sign_off(ctx, month, note="Igen")


def test_after_sign_off_only_open_investigations_can_be_closed(ctx, month, item):
    item = services.judge_item(ctx, item, verdict=Verdict.INVESTIGATE, note="", expected_version=1)
    services.sign_off(ctx, month, note="Klart")

    with pytest.raises(services.ReviewRefused) as refused:
        services.judge_item(ctx, item, verdict=Verdict.JUSTIFIED, note="Ändrat", expected_version=item.version)
    assert refused.value.code == "signed_off"
    assert ReviewItem.objects.get(pk=item.pk).verdict == Verdict.INVESTIGATE

    services.close_investigation(ctx, item, outcome=Outcome.JUSTIFIED, note="Befogat efter samtal",
                                 expected_version=2)
    assert ReviewItem.objects.get(pk=item.pk).outcome == Outcome.JUSTIFIED


def test_months_are_visible_to_their_unit_only(month, manager, other_unit):
    outsider = UserFactory(unit=other_unit, roles=[Role.MANAGER])
    assert list(services.months_visible_to(manager)) == [month]
    assert not services.months_visible_to(outsider).exists()
    assert not services.items_visible_to(outsider).exists()
