"""Repayment plans: the rules of a plan, the edit's history, judging the
instalments kept or missed (once, with one signal), completion, progress."""

from datetime import date

import pytest

from audit.models import FieldChange
from bolots.models import Signal, SignalKind
from core.rules import RuleError
from rent.models import InstalmentOutcome, PlanInstalment, PlanStatus, RentSettings, RepaymentPlan
from rent.services import plans as services
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .arrears_factories import notice, pay

pytestmark = pytest.mark.django_db

KR = 100


@pytest.fixture
def tenancy(unit, client_record):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2024, 6, 1))


def new_plan(tenancy, user, **values):
    fields = {"debt": 1000 * KR, "monthly_amount": 500 * KR, "start_month": date(2025, 1, 1),
              "end_month": date(2025, 2, 1), "debt_adviser": "Fiktiv rådgivare", **values}
    return RepaymentPlan(tenancy=tenancy, created_by=user, **fields)


def test_a_plan_is_saved_with_its_months_as_first_days(ctx, tenancy, case_officer):
    plan = services.create_plan(ctx, new_plan(tenancy, case_officer, start_month=date(2025, 1, 17),
                                              end_month=date(2025, 2, 28)))

    plan.refresh_from_db()
    assert (plan.start_month, plan.end_month, plan.status) == (date(2025, 1, 1), date(2025, 2, 1), PlanStatus.ACTIVE)


@pytest.mark.parametrize(("values", "field"), [
    ({"end_month": date(2024, 12, 1)}, "end_month"),
    # 2 × 400 kr = 800 kr < 1 000 kr: the instalments must cover the debt.
    ({"monthly_amount": 400 * KR}, "monthly_amount"),
])
def test_a_plan_against_the_rules_is_refused_beside_the_field(ctx, tenancy, case_officer, values, field):
    with pytest.raises(RuleError) as refused:
        services.create_plan(ctx, new_plan(tenancy, case_officer, **values))

    assert refused.value.field == field
    assert not RepaymentPlan.objects.exists()


def test_one_running_plan_per_tenancy(ctx, tenancy, case_officer):
    first = services.create_plan(ctx, new_plan(tenancy, case_officer))

    with pytest.raises(RuleError, match="redan"):
        services.create_plan(ctx, new_plan(tenancy, case_officer))
    first.status = PlanStatus.BROKEN
    services.update_plan(ctx, first, expected_version=first.version)
    assert services.create_plan(ctx, new_plan(tenancy, case_officer)).pk


def test_an_edit_keeps_its_history(ctx, tenancy, case_officer):
    plan = services.create_plan(ctx, new_plan(tenancy, case_officer))
    plan.monthly_amount = 600 * KR

    services.update_plan(ctx, plan, expected_version=1)

    change = FieldChange.objects.get(object_type="rent.repaymentplan", object_id=str(plan.pk))
    assert change.field == "monthly_amount"
    plan.refresh_from_db()
    assert plan.version == 2


@pytest.fixture
def running(ctx, tenancy, case_officer, unit):
    RentSettings.objects.create(unit=unit, grace_days=5)
    plan = services.create_plan(ctx, new_plan(tenancy, case_officer))
    january = notice(tenancy, date(2025, 1, 31), 5500 * KR, instalment=(plan, 500 * KR))
    february = notice(tenancy, date(2025, 2, 28), 5500 * KR, instalment=(plan, 500 * KR))
    return plan, january, february


def test_judging_kept_and_missed_once_with_one_signal(running, case_officer):
    plan, january, february = running
    pay(january, 5500 * KR, date(2025, 2, 5))  # the last day of grace: kept
    pay(february, 5000 * KR, date(2025, 3, 3))  # 500 kr short: missed

    assert services.judge_instalments(date(2025, 3, 5)) == 1  # February's grace runs to 5 March
    assert services.judge_instalments(date(2025, 3, 6)) == 1
    assert services.judge_instalments(date(2025, 3, 7)) == 0

    outcomes = dict(PlanInstalment.objects.values_list("month", "outcome"))
    assert outcomes == {date(2025, 2, 1): InstalmentOutcome.KEPT, date(2025, 3, 1): InstalmentOutcome.MISSED}
    signal = Signal.objects.get()
    assert (signal.kind, signal.recipient, signal.source_key) == (
        SignalKind.INSTALMENT_MISSED, case_officer, f"rent.instalment:{plan.pk}:2025-03")
    assert "500\xa0kr" in signal.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE, "the debt is not paid"


def test_a_late_payment_is_missed_and_the_plan_completes_when_the_debt_is_paid(running):
    plan, january, february = running
    pay(january, 5500 * KR, date(2025, 2, 6))  # a day after grace: missed

    services.judge_instalments(date(2025, 3, 10))
    assert PlanInstalment.objects.filter(outcome=InstalmentOutcome.MISSED).count() == 2
    assert Signal.objects.count() == 2
    progress = services.plan_progress(plan)
    assert (progress.kept, progress.missed, progress.left, progress.paid) == (0, 2, 0, 500 * KR)

    pay(february, 5500 * KR, date(2025, 3, 12))
    services.judge_instalments(date(2025, 3, 13))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert plan.version == 2, "completion is a tracked save"


def test_a_kept_last_instalment_with_the_debt_paid_completes_the_plan(running):
    plan, january, february = running
    pay(january, 5500 * KR, date(2025, 1, 30))
    pay(february, 5500 * KR, date(2025, 2, 27))

    assert services.judge_instalments(date(2025, 3, 6)) == 2
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert services.plan_progress(plan).paid == 1000 * KR
    assert not Signal.objects.exists()


def test_the_default_grace_without_settings(ctx, tenancy, case_officer):
    plan = services.create_plan(ctx, new_plan(tenancy, case_officer))
    notice(tenancy, date(2025, 1, 31), 5500 * KR, instalment=(plan, 500 * KR))

    assert services.judge_instalments(date(2025, 2, 5)) == 0
    assert services.judge_instalments(date(2025, 2, 6)) == 1


def test_the_task_judges_today(running, monkeypatch):
    from rent.tasks.plans import judge_instalments

    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2025, 3, 10))
    assert judge_instalments() == 2
