"""The monthly run (rent.services.runs.run_month) and its scheduled task."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from referrals.models import ProtectionLevel
from rent.models import (
    Allocation,
    Charge,
    LineKind,
    NoticeKind,
    NoticeRun,
    Payment,
    PaymentSource,
    RentNotice,
    RentSettings,
    RepaymentPlan,
)
from rent.ocr import is_valid_reference, notice_reference
from rent.services import rates, runs
from rent.tasks.runs import run_due_notices
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

DECEMBER = date(2026, 12, 1)
TODAY = date(2026, 11, 20)


def tenancy_in(unit, **extra):
    if "apartment" not in extra:
        extra["apartment"] = ApartmentFactory(unit=unit)
    return TenancyFactory(**extra)


def rent_notices(unit, period=DECEMBER):
    return RentNotice.objects.filter(tenancy__apartment__unit=unit, kind=NoticeKind.RENT, period=period)


def test_one_notice_per_tenancy_active_on_any_day_of_the_month(unit, other_unit, housing_admin):
    whole = tenancy_in(unit, start_date=date(2025, 1, 1), rent=600_000)
    moving_out = tenancy_in(unit, start_date=date(2025, 1, 1), end_date=date(2026, 12, 10),
                            end_reason=EndReason.OWN_HOUSING, rent=620_000)
    moving_in = tenancy_in(unit, start_date=date(2026, 12, 15), rent=620_000)
    tenancy_in(unit, start_date=date(2025, 1, 1), end_date=date(2026, 11, 30), end_reason=EndReason.OWN_HOUSING)
    tenancy_in(unit, start_date=date(2027, 1, 1))
    tenancy_in(other_unit, start_date=date(2025, 1, 1))

    run = runs.run_month(None, unit, DECEMBER, by=housing_admin, today=TODAY)

    assert run.notices_made == run.notices_made_now == 3
    notices = {n.tenancy_id: n for n in rent_notices(unit).prefetch_related("lines")}
    assert set(notices) == {whole.pk, moving_out.pk, moving_in.pk}
    assert RentNotice.objects.count() == 3  # nothing for the other unit
    assert notices[whole.pk].amount == 600_000
    [line] = notices[whole.pk].lines.all()
    assert (line.kind, line.days, line.days_in_month, line.text) == (LineKind.RENT, None, None, "Hyra december 2026")
    # 1–10 December: 6 200 kr × 10 / 31 = 2 000 kr; 15–31 December: 6 200 × 17 / 31 = 3 400 kr.
    [line] = notices[moving_out.pk].lines.all()
    assert (line.days, line.days_in_month, line.amount) == (10, 31, 200_000)
    assert line.text == "Hyra december 2026, 2026-12-01–2026-12-10"
    [line] = notices[moving_in.pk].lines.all()
    assert (line.days, line.days_in_month, line.amount) == (17, 31, 340_000)
    for notice in notices.values():
        assert notice.issued_on == TODAY
        assert notice.due_date == date(2026, 11, 30)  # 1 December 2026 is a Tuesday: Monday 30 November
        assert notice.booked_month == DECEMBER
        assert notice.run == run and notice.created_by == housing_admin


def test_every_notice_has_a_valid_ocr_from_its_number(unit):
    for _ in range(3):
        tenancy_in(unit, start_date=date(2025, 1, 1))
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    for notice in rent_notices(unit):
        assert notice.ocr == notice_reference(notice.pk)
        assert is_valid_reference(notice.ocr)


def test_running_twice_makes_nothing_new(unit):
    tenancy_in(unit, start_date=date(2025, 1, 1))
    first = runs.run_month(None, unit, DECEMBER, today=TODAY)
    again = runs.run_month(None, unit, DECEMBER, today=TODAY)
    assert again.pk == first.pk and again.notices_made_now == 0
    assert rent_notices(unit).count() == 1
    assert NoticeRun.objects.count() == 1
    # A tenant who moves in after the run gets theirs from the next one; the others nothing new.
    late = tenancy_in(unit, start_date=date(2026, 12, 5))
    third = runs.run_month(None, unit, DECEMBER, today=TODAY)
    assert third.notices_made_now == 1
    assert list(rent_notices(unit).filter(run=third).values_list("tenancy_id", flat=True)) == [late.pk]
    assert rent_notices(unit).count() == 2


@pytest.mark.parametrize(("period", "due"), [
    (date(2026, 6, 1), date(2026, 5, 29)),  # the 1st a Monday: the Friday before
    (date(2026, 11, 1), date(2026, 10, 30)),  # the 1st a Sunday: the Friday before
    (date(2026, 12, 1), date(2026, 11, 30)),  # the 1st a Tuesday: the Monday
    (date(2027, 1, 1), date(2026, 12, 31)),  # a weekday; holidays are not skipped (docs/rent.md)
])
def test_due_on_the_last_weekday_before_the_first(period, due):
    assert runs.due_date_for(period) == due


def test_a_run_is_for_a_whole_month(unit):
    with pytest.raises(runs.RunError):
        runs.run_month(None, unit, date(2026, 12, 2))


def test_charges_go_on_the_next_notice_only(unit, housing_admin):
    tenancy = tenancy_in(unit, start_date=date(2025, 1, 1), rent=600_000)
    charge = Charge.objects.create(tenancy=tenancy, kind="keys", text="Ny nyckel", amount=45_000,
                                   charged_on=date(2026, 11, 3), created_by=housing_admin)
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    notice = rent_notices(unit).get()
    assert notice.amount == 645_000
    assert [(line.kind, line.text, line.amount, line.charge_id) for line in notice.lines.all()] == [
        (LineKind.RENT, "Hyra december 2026", 600_000, None), (LineKind.CHARGE, "Ny nyckel", 45_000, charge.pk),
    ]
    charge.refresh_from_db()
    assert charge.notice == notice
    runs.run_month(None, unit, date(2027, 1, 1), today=date(2026, 12, 20))
    assert rent_notices(unit, date(2027, 1, 1)).get().amount == 600_000


def test_a_running_repayment_plan_adds_its_instalment(unit, housing_admin):
    tenancy = tenancy_in(unit, start_date=date(2025, 1, 1), rent=600_000)
    plan = RepaymentPlan.objects.create(tenancy=tenancy, debt=300_000, monthly_amount=50_000,
                                        start_month=DECEMBER, end_month=date(2027, 5, 1), created_by=housing_admin)
    runs.run_month(None, unit, date(2026, 11, 1), today=date(2026, 10, 20))
    assert rent_notices(unit, date(2026, 11, 1)).get().amount == 600_000  # before the plan's first month
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    notice = rent_notices(unit).get()
    assert notice.amount == 650_000
    line = notice.lines.get(kind=LineKind.INSTALMENT)
    assert (line.plan, line.amount) == (plan, 50_000)


def test_a_rent_change_inside_the_month_gives_two_lines(unit, ctx):
    tenancy = tenancy_in(unit, start_date=date(2025, 1, 1), rent=600_000)
    rates.set_rate(ctx, tenancy, date(2026, 12, 16), 620_000)
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    lines = list(rent_notices(unit).get().lines.values_list("days", "amount"))
    assert lines == [(15, 290_323), (16, 320_000)]


def test_credit_settles_the_new_notice(unit):
    tenancy = tenancy_in(unit, start_date=date(2025, 1, 1), rent=600_000)
    payment = Payment.objects.create(unit=unit, tenancy=tenancy, source=PaymentSource.BGMAX, paid_on=date(2026, 11, 10),
                                     amount=700_000, reference="1", booked_month=date(2026, 11, 1))
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    notice = RentNotice.objects.with_settled().get(kind=NoticeKind.RENT)
    assert notice.outstanding == 0
    assert Allocation.objects.get().payment == payment


def test_a_protected_tenant_gets_a_notice_like_any_other(unit):
    tenancy = tenancy_in(unit, start_date=date(2025, 1, 1))
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    runs.run_month(None, unit, DECEMBER, today=TODAY)
    assert rent_notices(unit).get().tenancy == tenancy


def test_no_notice_of_nothing(unit):
    tenancy_in(unit, start_date=date(2025, 1, 1), rent=None, apartment=ApartmentFactory(unit=unit, rent=None))
    run = runs.run_month(None, unit, DECEMBER, today=TODAY)
    assert run.notices_made_now == 0 and RentNotice.objects.count() == 0


def test_the_queries_do_not_grow_with_the_tenancies(unit, housing_admin, django_assert_max_num_queries):
    for _ in range(20):
        tenancy = tenancy_in(unit, start_date=date(2025, 1, 1))
        Charge.objects.create(tenancy=tenancy, kind="other", text="El", amount=10_000, charged_on=TODAY,
                              created_by=housing_admin)
    with django_assert_max_num_queries(16):
        run = runs.run_month(None, unit, DECEMBER, today=TODAY)
    assert run.notices_made_now == 20


def test_the_task_runs_next_month_once_the_run_day_has_come(unit, other_unit, monkeypatch):
    RentSettings.objects.create(unit=unit, notice_run_day=20)
    RentSettings.objects.create(unit=other_unit, notice_run_day=25)
    tenancy_in(unit, start_date=date(2025, 1, 1))
    tenancy_in(other_unit, start_date=date(2025, 1, 1))
    monkeypatch.setattr("rent.tasks.runs.timezone.localdate", lambda: date(2026, 11, 19))
    assert run_due_notices.delay().get() == 0
    monkeypatch.setattr("rent.tasks.runs.timezone.localdate", lambda: TODAY)
    assert run_due_notices.delay().get() == 1  # the unit whose day has come
    assert run_due_notices.delay().get() == 0  # run once
    assert list(RentNotice.objects.values_list("tenancy__apartment__unit", "period")) == [(unit.pk, DECEMBER)]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_the_same_moment_make_each_notice_once(unit):
    for _ in range(5):
        tenancy_in(unit, start_date=date(2025, 1, 1))
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = runs.run_month(None, unit, DECEMBER, today=TODAY).notices_made_now
        except Exception as error:  # noqa: BLE001 - reported below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 5], results
    assert rent_notices(unit).count() == 5
