"""Notices and payments written directly for the arrears and plan tests
(the run and the payment import are other areas' services)."""

from datetime import date, timedelta

from rent.models import (
    Allocation,
    LineKind,
    NoticeKind,
    NoticeLine,
    Payment,
    PaymentSource,
    RentNotice,
)


def notice(tenancy, due: date, amount: int, *, issued: date | None = None, instalment=None) -> RentNotice:
    """A rent notice due `due`, made 10 days before (or on `issued`); with
    `instalment=(plan, amount)` an instalment line besides the rent."""
    made = RentNotice.objects.create(
        tenancy=tenancy, kind=NoticeKind.RENT, period=(due + timedelta(days=1)).replace(day=1),
        issued_on=issued or due - timedelta(days=10), due_date=due, amount=amount, booked_month=due.replace(day=1),
    )
    rent = amount
    if instalment is not None:
        plan, part = instalment
        rent -= part
        NoticeLine.objects.create(notice=made, kind=LineKind.INSTALMENT, text="Avbetalning", amount=part, plan=plan)
    NoticeLine.objects.create(notice=made, kind=LineKind.RENT, text="Hyra", amount=rent)
    return made


def pay(target: RentNotice, amount: int, on: date) -> Payment:
    """A payment of `amount` on `on`, allocated to `target`."""
    payment = Payment.objects.create(
        unit=target.tenancy.apartment.unit, tenancy=target.tenancy, source=PaymentSource.CASH, note="Kontant",
        paid_on=on, amount=amount, booked_month=on.replace(day=1),
    )
    Allocation.objects.create(notice=target, amount=amount, on=on, payment=payment)
    return payment


def credit(tenancy, amount: int, on: date) -> Payment:
    """A payment nobody's notice needs: the tenant's credit (not allocated)."""
    return Payment.objects.create(
        unit=tenancy.apartment.unit, tenancy=tenancy, source=PaymentSource.CASH, note="Kontant", paid_on=on,
        amount=amount, booked_month=on.replace(day=1),
    )
