"""Termination for arrears (services.terminations): the amount owed from the
ledger, the unit's eviction notice counted by KPI 2, delivery and the three
weeks (across a month end and a leap day), recovery and lapse, and the
move-out refused before the deadline."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from bolots.models import Signal, SignalKind
from referrals.models import EvictionNotice, NoticeOutcome, NoticeReason, NoticeSource
from rent.models import ArrearsTermination, DeliveryMethod, LetterDelivery, LetterKind, TerminationStatus
from rent.services import terminations as services
from rent.services.terminations import TerminationError
from reports.kpis.evictions import N as KPI2
from tenancies.models import EndReason
from tenancies.services.moves import move_out
from tenancies.services.tenancies import TenancyError

from .test_termination_helpers import (  # noqa: F401
    in_arrears_fixture,
    make_notice,
    media_in_tmp_fixture,
    pay,
    pilot_of,
    set_today,
    tenancy_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

PDF = b"%PDF-1.4\n% scanned receipt\n"


def scan(content=PDF, content_type="application/pdf", name="kvitto.pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def started(ctx, in_arrears, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    return services.start_termination(ctx, in_arrears, date(2028, 1, 10))


def deliver(ctx, termination, day, monkeypatch):
    set_today(monkeypatch, day)
    return services.record_delivery(ctx, termination, LetterKind.TERMINATION, DeliveryMethod.REGISTERED_MAIL, day,
                                    proof_file=scan())


def test_the_amount_owed_is_the_ledgers_on_the_date(started):
    # 2 × 4 500 kr due before 10 January, 1 000,50 kr paid; January's notice not yet due.
    assert started.amount_owed == 799_950
    assert started.status == TerminationStatus.DRAFT
    assert started.notified_on is None and started.recover_by is None


def test_the_units_eviction_notice_is_made_and_counted_by_kpi2(started, unit):
    notice = EvictionNotice.objects.get(pk=started.eviction_notice_id)

    assert (notice.client_id, notice.unit_id, notice.source, notice.reason) == (
        started.tenancy.client_id, unit.pk, NoticeSource.LANDLORD_TERMINATION, NoticeReason.RENT_ARREARS)
    assert notice.amount_owed == 799_950 and notice.termination_date == date(2028, 1, 10)
    assert notice.landlord == "Fiktiva kommunen"
    # No deadline runs before the tenant is notified.
    assert notice.pay_by_date is None
    assert list(KPI2["kpi2.notices"].records(2028, unit)) == [notice]


def test_no_termination_without_arrears(ctx, tenancy, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 10))
    make_notice(tenancy, date(2027, 12, 31))
    pay(tenancy, date(2027, 12, 30), 450_000)

    with pytest.raises(TerminationError) as refused:
        services.start_termination(ctx, tenancy, date(2028, 1, 10))

    assert refused.value.field == "decided_on"
    assert "inga hyresskulder" in refused.value.messages[0]
    assert not ArrearsTermination.objects.exists() and not EvictionNotice.objects.exists()


def test_one_open_termination_per_tenancy(ctx, started):
    with pytest.raises(TerminationError) as refused:
        services.start_termination(ctx, started.tenancy, date(2028, 1, 10))
    assert refused.value.code == "open"
    # The database says the same, should a second writer get past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ArrearsTermination.objects.create(tenancy=started.tenancy, decided_on=date(2028, 1, 9), amount_owed=1,
                                          created_by=started.created_by)


def test_delivery_by_scan_starts_three_weeks_across_a_month_end(ctx, started, monkeypatch, case_officer):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    started.refresh_from_db()

    assert started.notified_on == date(2028, 1, 15)
    assert started.recover_by == date(2028, 2, 5)
    assert started.status == TerminationStatus.RUNNING
    assert EvictionNotice.objects.get(pk=started.eviction_notice_id).pay_by_date == date(2028, 2, 5)
    signal = Signal.objects.get(source_key=f"rent.termination:{started.pk}")
    assert (signal.kind, signal.recipient) == (SignalKind.RECOVERY_DEADLINE, case_officer)
    assert "2028-02-05" in signal.text


def test_three_weeks_over_the_leap_day(ctx, in_arrears, monkeypatch):
    set_today(monkeypatch, date(2028, 2, 10))
    termination = services.start_termination(ctx, in_arrears, date(2028, 2, 10))
    deliver(ctx, termination, date(2028, 2, 20), monkeypatch)
    termination.refresh_from_db()

    assert termination.recover_by == date(2028, 3, 12)


@pytest.mark.parametrize("upload, code", [
    (None, "no_proof"),
    (scan(b"just text", "application/pdf"), "type"),
    (scan(PDF, "text/plain", "kvitto.txt"), "type"),
])
def test_a_delivery_needs_a_real_scan(ctx, started, monkeypatch, upload, code):
    set_today(monkeypatch, date(2028, 1, 15))
    with pytest.raises(TerminationError) as refused:
        services.record_delivery(ctx, started, LetterKind.TERMINATION, DeliveryMethod.REGISTERED_MAIL,
                                 date(2028, 1, 15), proof_file=upload)

    assert (refused.value.code, refused.value.field) == (code, "proof")
    assert not LetterDelivery.objects.exists()


def test_a_large_scan_is_refused(ctx, started, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 15))
    big = scan(PDF + b"0" * services.PROOF_MAX_BYTES)
    with pytest.raises(TerminationError) as refused:
        services.record_delivery(ctx, started, LetterKind.TERMINATION, DeliveryMethod.SERVICE, date(2028, 1, 15),
                                 proof_file=big)
    assert refused.value.code == "size"


def test_the_board_notice_does_not_start_the_three_weeks(ctx, started, monkeypatch):
    set_today(monkeypatch, date(2028, 1, 11))
    services.record_delivery(ctx, started, LetterKind.BOARD_NOTICE, DeliveryMethod.INTERNAL_MAIL, date(2028, 1, 11),
                             proof_file=scan(b"\x89PNG\r\n\x1a\nrest", "image/png", "kvitto.png"))
    started.refresh_from_db()
    assert started.status == TerminationStatus.DRAFT and started.recover_by is None


def test_delivery_signed_by_the_clients_bolots(ctx, started, monkeypatch, unit, second_pilot):
    pilot = pilot_of(started.tenancy.client, unit)
    set_today(monkeypatch, date(2028, 1, 20))

    with pytest.raises(TerminationError):
        services.sign_delivery(ctx(second_pilot), started, LetterKind.TERMINATION, date(2028, 1, 20))
    delivery = services.sign_delivery(ctx(pilot), started, LetterKind.TERMINATION, date(2028, 1, 20))
    started.refresh_from_db()

    assert (delivery.method, delivery.delivered_by, delivery.proof.name) == (DeliveryMethod.BY_HAND, pilot, "")
    assert delivery.signed_at is not None
    assert started.recover_by == date(2028, 2, 10) and started.status == TerminationStatus.RUNNING


def test_a_payment_in_time_recovers_the_tenancy(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    set_today(monkeypatch, date(2028, 2, 5))
    pay(started.tenancy, date(2028, 2, 5), 799_950)  # the last day

    started.refresh_from_db()
    assert (started.status, started.status_on) == (TerminationStatus.RECOVERED, date(2028, 2, 5))
    notice = EvictionNotice.objects.get(pk=started.eviction_notice_id)
    assert (notice.outcome, notice.outcome_on) == (NoticeOutcome.PREVENTED_PAID, date(2028, 2, 5))


def test_part_payment_then_the_deadline_passes(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    pay(started.tenancy, date(2028, 2, 1), 700_000)
    started.refresh_from_db()
    assert started.status == TerminationStatus.RUNNING

    assert services.check_recoveries(date(2028, 2, 5)) == 0
    assert services.check_recoveries(date(2028, 2, 6)) == 1
    started.refresh_from_db()
    assert (started.status, started.status_on) == (TerminationStatus.LAPSED, date(2028, 2, 6))
    assert EvictionNotice.objects.get(pk=started.eviction_notice_id).outcome == ""


def test_a_payment_after_the_deadline_does_not_recover(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    set_today(monkeypatch, date(2028, 2, 7))
    pay(started.tenancy, date(2028, 2, 7), 799_950)
    started.refresh_from_db()
    assert started.status == TerminationStatus.LAPSED


def test_the_daily_task_runs_the_check(ctx, started, monkeypatch):
    from rent.tasks.terminations import check_recoveries

    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    set_today(monkeypatch, date(2028, 2, 6))
    assert check_recoveries() == 1


# --- Ending the tenancy for arrears ------------------------------------------------


def end_for_arrears(ctx, tenancy, day):
    return move_out(ctx, tenancy, day, EndReason.TERMINATED_ARREARS, notify_admins=False)


def test_no_end_for_arrears_before_the_letter_is_delivered(ctx, started):
    with pytest.raises(TenancyError) as refused:
        end_for_arrears(ctx, started.tenancy, date(2028, 3, 31))
    assert refused.value.field == "end_reason"
    assert "har inte delgetts" in refused.value.messages[0]
    started.tenancy.refresh_from_db()
    assert started.tenancy.end_date is None


def test_no_end_for_arrears_while_the_three_weeks_run(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    set_today(monkeypatch, date(2028, 2, 1))
    with pytest.raises(TenancyError) as refused:
        end_for_arrears(ctx, started.tenancy, date(2028, 2, 29))
    assert "2028-02-05" in refused.value.messages[0]
    # Another reason is not this rule's business.
    move_out(ctx, started.tenancy, date(2028, 2, 29), EndReason.OWN_HOUSING, notify_admins=False)


def test_no_end_for_arrears_after_recovery(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    pay(started.tenancy, date(2028, 1, 30), 799_950)
    set_today(monkeypatch, date(2028, 3, 1))
    with pytest.raises(TenancyError) as refused:
        end_for_arrears(ctx, started.tenancy, date(2028, 3, 31))
    assert refused.value.code == "recovered"


def test_the_end_for_arrears_after_the_deadline_passed(ctx, started, monkeypatch):
    deliver(ctx, started, date(2028, 1, 15), monkeypatch)
    set_today(monkeypatch, date(2028, 2, 6))
    with pytest.raises(TenancyError):
        end_for_arrears(ctx, started.tenancy, date(2028, 2, 5))  # not on or before the last day to pay
    ended = end_for_arrears(ctx, started.tenancy, date(2028, 2, 29))
    assert ended.end_reason == EndReason.TERMINATED_ARREARS
    started.refresh_from_db()
    assert started.status == TerminationStatus.LAPSED
