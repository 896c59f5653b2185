"""A small hand-built rent ledger for the rent figures' tests (2024 and
2025), written directly with the rent models; payments are allocated by
rent.services.allocation.allocate_tenancy (oldest first). Every expected
figure is worked out in test_kpi_rent.py from the cast below.

Amounts in kronor here; the models keep öre (× 100).

  TA (client CA, unit)  rent 5 000 kr
      notices  Dec 2024 due 2024-11-29   paid 2025-01-10 (5 000)
               Oct 2025 due 2025-09-30   paid 2025-09-30 (5 000, on the due date)
               Nov 2025 due 2025-10-31   2 000 paid 2025-11-03, 3 000 open
               Dec 2025 due 2025-11-28   open
               Jan 2026 due 2025-12-31   open (due on 31 December itself)
      plan     active; instalments 2024-12 kept, 2025-10 kept, 2025-11 missed, 2025-12 kept
  TB (client CB, unit)  rent 4 000 kr
      notices  Dec 2024 due 2024-11-30   paid 2025-01-20 (due exactly one month before 31 Dec)
               Dec 2025 due 2025-11-28   paid 2025-12-15 (late)
               Jan 2026 due 2025-12-31   paid 2025-12-31 (on the due date)
               charge 500 kr (keys) issued 2025-12-10, due 2026-01-09: open, not yet due
      plan     paid off; instalments 2025-06 kept, 2025-07 kept
  TC (client CC, other unit)
      notices  Dec 2025 due 2025-11-28   9 999 kr open (national figures only)
"""

from datetime import date, timedelta

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from rent.models import (
    InstalmentOutcome,
    LineKind,
    NoticeKind,
    NoticeLine,
    Payment,
    PaymentSource,
    PlanInstalment,
    PlanStatus,
    RentNotice,
    RepaymentPlan,
)
from rent.services.allocation import allocate_tenancy
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

KR = 100


def notice(tenancy, due, kronor, *, period=None, kind=NoticeKind.RENT):
    issued = due - timedelta(days=10)
    made = RentNotice.objects.create(
        tenancy=tenancy, kind=kind, period=period, issued_on=issued, due_date=due, amount=kronor * KR,
        booked_month=issued.replace(day=1),
    )
    NoticeLine.objects.create(notice=made, kind=LineKind.RENT if kind == NoticeKind.RENT else LineKind.CHARGE,
                              text="Hyra" if kind == NoticeKind.RENT else "Nycklar", amount=kronor * KR)
    return made


def pay(tenancy, paid_on, kronor):
    return Payment.objects.create(
        unit=tenancy.apartment.unit, tenancy=tenancy, source=PaymentSource.TRANSFER, paid_on=paid_on,
        amount=kronor * KR, note="Test", booked_month=paid_on.replace(day=1),
    )


def plan(tenancy, user, status, instalments):
    made = RepaymentPlan.objects.create(
        tenancy=tenancy, debt=10_000 * KR, monthly_amount=500 * KR, start_month=instalments[0][0],
        end_month=instalments[-1][0], status=status, created_by=user,
    )
    for month, outcome in instalments:
        PlanInstalment.objects.create(plan=made, month=month, amount=500 * KR, outcome=outcome,
                                      judged_on=month + timedelta(days=40))
    return made


def build_rent_dataset(unit, other_unit):
    user = UserFactory(unit=unit, roles=[Role.HOUSING_ADMIN])
    ta = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2023, 1, 1), rent=5_000 * KR)
    tb = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2023, 1, 1), rent=4_000 * KR)
    tc = TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2023, 1, 1))

    notice(ta, date(2024, 11, 29), 5_000, period=date(2024, 12, 1))
    notice(ta, date(2025, 9, 30), 5_000, period=date(2025, 10, 1))
    notice(ta, date(2025, 10, 31), 5_000, period=date(2025, 11, 1))
    notice(ta, date(2025, 11, 28), 5_000, period=date(2025, 12, 1))
    notice(ta, date(2025, 12, 31), 5_000, period=date(2026, 1, 1))
    pay(ta, date(2025, 1, 10), 5_000)
    pay(ta, date(2025, 9, 30), 5_000)
    pay(ta, date(2025, 11, 3), 2_000)

    notice(tb, date(2024, 11, 30), 4_000, period=date(2024, 12, 1))
    notice(tb, date(2025, 11, 28), 4_000, period=date(2025, 12, 1))
    notice(tb, date(2025, 12, 31), 4_000, period=date(2026, 1, 1))
    keys = notice(tb, date(2026, 1, 9), 500, kind=NoticeKind.CHARGE)
    keys.issued_on = date(2025, 12, 10)
    keys.save()
    pay(tb, date(2025, 1, 20), 4_000)
    pay(tb, date(2025, 12, 15), 4_000)
    pay(tb, date(2025, 12, 31), 4_000)

    notice(tc, date(2025, 11, 28), 9_999, period=date(2025, 12, 1))

    for tenancy in (ta, tb, tc):
        allocate_tenancy(tenancy.pk)

    kept, missed = InstalmentOutcome.KEPT, InstalmentOutcome.MISSED
    plan(ta, user, PlanStatus.ACTIVE, [(date(2024, 12, 1), kept), (date(2025, 10, 1), kept),
                                       (date(2025, 11, 1), missed), (date(2025, 12, 1), kept)])
    plan(tb, user, PlanStatus.COMPLETED, [(date(2025, 6, 1), kept), (date(2025, 7, 1), kept)])
    return {"ta": ta, "tb": tb, "tc": tc, "user": user}
