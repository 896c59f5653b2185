"""The demo rent ledger (demo/rent.py) at the small scale: notices for the
demo months with valid OCR references, most paid, some overdue on the seed
day, repayment plans with instalment lines, one termination with its two
signed deliveries, and the last month's BgMax files on disk whose counts
add up."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from rent.bgmax.records import LINE_LENGTH, field
from rent.forms.settings import is_valid_bankgiro
from rent.models import (
    Allocation,
    ArrearsTermination,
    BgMaxFile,
    LetterDelivery,
    LineKind,
    NoticeLine,
    Payment,
    PlanInstalment,
    RentNotice,
    RentSettings,
    RepaymentPlan,
    TerminationStatus,
)
from rent.ocr import is_valid_reference
from tenancies.models import Tenancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", scale="small", seed=3, force=True, stdout=out)
    return out.getvalue(), tmp_path


def test_every_tenancy_has_a_notice_per_month_with_a_valid_reference_and_lines_that_add_up(seeded):
    output, _media = seeded
    assert "hyresavier" in output
    notices = RentNotice.objects.all()
    assert notices.count() > 1000
    assert all(is_valid_reference(ocr) for ocr in notices.values_list("ocr", flat=True))
    assert not notices.annotate(lines_total=Sum("lines__amount")).exclude(lines_total=F("amount")).exists()
    # One notice per tenancy and month, for each month the tenancy ran.
    current = Tenancy.objects.filter(end_date__isnull=True, start_date__lt=timezone.localdate() - timedelta(days=62))
    this_month = timezone.localdate().replace(day=1)
    assert not current.exclude(rent_notices__period=this_month).exists()
    # A move-in inside a month is charged by the days of the month.
    pro_rata = NoticeLine.objects.filter(kind=LineKind.RENT, days__isnull=False).first()
    assert pro_rata is not None and pro_rata.days < pro_rata.days_in_month


def test_most_notices_are_paid_some_are_overdue_and_payments_are_allocated_oldest_first(seeded):
    today = timezone.localdate()
    past_due = RentNotice.objects.filter(due_date__lt=today - timedelta(days=5))
    total = past_due.count()
    open_ = past_due.with_settled().filter(outstanding__gt=0)
    assert 0 < open_.count() < total * 0.15
    assert open_.filter(due_date__gte=today - timedelta(days=70)).exists()  # live arrears
    assert Payment.objects.count() > total * 0.8
    # Allocations never exceed a payment or a notice.
    assert not Payment.objects.annotate(used=Sum("allocations__amount")).filter(used__gt=F("amount")).exists()
    assert not RentNotice.objects.annotate(allocated=Sum("allocations__amount")).filter(
        allocated__gt=F("amount")).exists()
    assert Allocation.objects.count() >= Payment.objects.filter(tenancy__isnull=False).count()
    # Most paid on time, some late.
    allocations = Allocation.objects.filter(payment__isnull=False)
    on_time = allocations.filter(on__lte=F("notice__due_date")).count()
    assert on_time > allocations.count() * 0.6
    assert allocations.filter(on__gt=F("notice__due_date") + timedelta(days=5)).exists()
    # The stray payment waits in the manual queue.
    (stray,) = Payment.objects.unmatched()
    assert not is_valid_reference(stray.reference)


def test_repayment_plans_put_instalments_on_the_notices(seeded):
    plans = RepaymentPlan.objects.all()
    assert plans.exists()
    for plan in plans:
        lines = NoticeLine.objects.filter(plan=plan, kind=LineKind.INSTALMENT)
        assert lines.exists() and set(lines.values_list("amount", flat=True)) == {plan.monthly_amount}
        assert lines.filter(notice__tenancy=plan.tenancy).count() == lines.count()
    assert PlanInstalment.objects.exists()


def test_one_termination_with_two_signed_deliveries_and_its_eviction_notice(seeded):
    (termination,) = ArrearsTermination.objects.all()
    assert termination.amount_owed > 0
    assert termination.status == TerminationStatus.RUNNING
    assert termination.recover_by == termination.notified_on + timedelta(days=21)
    notice = termination.eviction_notice
    assert notice.client_id == termination.tenancy.client_id and notice.unit_id == termination.tenancy.apartment.unit_id
    assert notice.amount_owed == termination.amount_owed
    deliveries = LetterDelivery.objects.filter(termination=termination)
    assert deliveries.count() == 2
    assert {d.letter for d in deliveries} == {"termination", "board_notice"}
    assert all(d.delivered_by_id and d.signed_at for d in deliveries)


def test_the_last_months_bgmax_files_are_on_disk_and_add_up(seeded):
    _output, media = seeded
    settings_rows = RentSettings.objects.all()
    assert settings_rows.exists() and all(is_valid_bankgiro(row.bankgiro) for row in settings_rows)
    files = sorted((media / "demo" / "bgmax").glob("*.txt"))
    assert files and len(files) == BgMaxFile.objects.count()
    for path in files:
        lines = path.read_bytes().decode("latin-1").split("\r\n")[:-1]
        assert all(len(line) == LINE_LENGTH for line in lines)
        assert field(lines[0], 3, 7) == "BGMAX"
        kinds = [line[:2] for line in lines]
        end = lines[-1]
        assert kinds[-1] == "70"
        assert int(field(end, 3, 10)) == kinds.count("20")
        assert int(field(end, 11, 18)) == kinds.count("21")
        assert int(field(end, 27, 34)) == kinds.count("15")
        deposit = next(line for line in lines if line.startswith("15"))
        payments = [int(field(line, 38, 55)) for line in lines if line.startswith("20")]
        assert int(field(deposit, 51, 68)) == sum(payments)
        row = BgMaxFile.objects.get(filename=path.name)
        assert row.payments == len(payments) and row.total == sum(payments)
    # The references are the notices' OCR numbers, and one is wrong.
    references = Payment.objects.filter(bgmax_file__isnull=False).values_list("reference", flat=True)
    assert sum(1 for reference in references if not is_valid_reference(reference)) == 1


def test_running_again_adds_nothing(seeded):
    counts = (RentNotice.objects.count(), Payment.objects.count(), BgMaxFile.objects.count())
    out = io.StringIO()
    call_command("seed_demo", scale="small", seed=3, force=True, stdout=out)
    assert "Hyresavier finns redan" in out.getvalue()
    assert (RentNotice.objects.count(), Payment.objects.count(), BgMaxFile.objects.count()) == counts
    assert not RentNotice.objects.values("tenancy", "period").annotate(n=Count("id")).filter(n__gt=1).exists()
