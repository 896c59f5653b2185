"""services.ledger: the running balance, worked by hand, and the query count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from rent.services import ledger
from tenancies.tests.factories import TenancyFactory

from .ledger_factories import notice, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenancy(unit):
    return TenancyFactory(apartment__unit=unit)


@pytest.fixture
def admin_ctx(housing_admin):
    return AuditContext(user=housing_admin, path="/test/")


@pytest.fixture
def manager_ctx(manager):
    return AuditContext(user=manager, path="/test/")


def test_running_balance_worked_by_hand(tenancy, admin_ctx, manager_ctx):
    # Notice 4 500 kr; payment 3 000 kr; credit note 500 kr; write-off 1 000 kr.
    rent = notice(tenancy, 450_000, issued_on=date(2026, 1, 20))
    payment(tenancy, 300_000, paid_on=date(2026, 1, 30))
    ledger.credit_notice(admin_ctx, rent, 50_000, date(2026, 2, 5), "Fel i hyran")
    ledger.write_off(manager_ctx, rent, 100_000, date(2026, 2, 10), "Kan inte drivas in")
    rows = ledger.ledger_rows([tenancy.pk])[tenancy.pk]
    assert [(row.kind, row.debit, row.credit, row.balance) for row in rows] == [
        ("notice", 450_000, 0, 450_000),   # 4 500 owed
        ("payment", 0, 300_000, 150_000),  # 4 500 − 3 000 = 1 500
        ("credit", 0, 50_000, 100_000),    # 1 500 − 500 = 1 000
        ("write_off", 0, 100_000, 0),      # 1 000 − 1 000 = 0
    ]
    assert ledger.balance_of(tenancy) == 0
    assert ledger.balance_of(tenancy, on=date(2026, 2, 6)) == 100_000


def test_overpayment_is_a_negative_balance(tenancy):
    notice(tenancy, 450_000)
    payment(tenancy, 500_000)
    rows = ledger.ledger_rows([tenancy.pk])[tenancy.pk]
    assert rows[-1].balance == -50_000
    assert ledger.balance_of(tenancy) == -50_000


def test_same_day_the_notice_comes_before_the_payment(tenancy):
    payment(tenancy, 100_000, paid_on=date(2026, 1, 20), allocate=False)
    notice(tenancy, 450_000, issued_on=date(2026, 1, 20))
    kinds = [row.kind for row in ledger.ledger_rows([tenancy.pk])[tenancy.pk]]
    assert kinds == ["notice", "payment"]


def test_on_leaves_out_later_entries(tenancy):
    notice(tenancy, 450_000, issued_on=date(2026, 1, 20))
    notice(tenancy, 450_000, issued_on=date(2026, 2, 20))
    rows = ledger.ledger_rows([tenancy.pk], on=date(2026, 2, 1))[tenancy.pk]
    assert len(rows) == 1


@pytest.mark.parametrize("count", [2, 40])
def test_rows_in_a_fixed_number_of_queries(unit, count):
    tenancies = [TenancyFactory(apartment__unit=unit) for _ in range(2)]
    for tenancy in tenancies:
        for month in range(count):
            notice(tenancy, 100_000, issued_on=date(2020 + month // 12, month % 12 + 1, 20))
            payment(tenancy, 100_000, paid_on=date(2020 + month // 12, month % 12 + 1, 25), allocate=False)
    with CaptureQueriesContext(connection) as queries:
        rows = ledger.ledger_rows([tenancy.pk for tenancy in tenancies])
    assert len(queries) == 1
    assert all(len(value) == 2 * count for value in rows.values())


def test_unit_totals(unit, other_unit):
    owing = TenancyFactory(apartment__unit=unit)
    in_credit = TenancyFactory(apartment__unit=unit)
    elsewhere = TenancyFactory(apartment__unit=other_unit)
    notice(owing, 450_000)
    notice(in_credit, 100_000)
    payment(in_credit, 150_000)
    notice(elsewhere, 999_900)
    totals = ledger.unit_totals(unit.pk)
    assert totals == {"balance": 400_000, "owed": 450_000, "tenants_owing": 1}


def test_a_case_officer_cannot_credit(tenancy, case_officer):
    from django.core.exceptions import PermissionDenied

    rent = notice(tenancy, 450_000)
    with pytest.raises(PermissionDenied):
        ledger.credit_notice(AuditContext(user=case_officer), rent, 1_000, date(2026, 2, 1), "x")


def test_write_off_needs_the_manager(tenancy, housing_admin):
    from django.core.exceptions import PermissionDenied

    rent = notice(tenancy, 450_000)
    with pytest.raises(PermissionDenied):
        ledger.write_off(AuditContext(user=housing_admin), rent, 1_000, date(2026, 2, 1), "x")
    assert UserFactory(unit=tenancy.apartment.unit, roles=[Role.MANAGER]).has_perm("rent.write_off")
