"""What hangs on a running tenancy: its terms (rent, contract and notice),
the tenant's home insurance and income sources. Each write runs in one
transaction with its audit entries (access log and field history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.db.models import Model, QuerySet

    from audit.context import AuditContext

    from ..models import HomeInsurance, Tenancy

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked

from ..models import IncomeSource
from .tenancies import TenancyError, _date

# What a case officer may change on a running tenancy (tenancy_terms); the
# changes are kept in the field history.
TERMS_FIELDS = ["rent", "contract_months", "notice_weeks", "renews_automatically"]
INSURANCE_FIELDS = ["company", "policy_number", "valid_from", "valid_until"]
INCOME_FIELDS = ["kind", "valid_from", "valid_to"]


# --- Terms of a running tenancy ------------------------------------------------------


@transaction.atomic
def update_terms(ctx: AuditContext, tenancy: Tenancy, *, expected_version: int) -> Tenancy:
    """Save the edited rent and contract terms of `tenancy`; raises
    ConcurrentEditError when someone else saved it after `expected_version`."""
    return save_tracked(ctx, tenancy, TERMS_FIELDS, expected_version=expected_version,
                        update_fields=TERMS_FIELDS).record


# --- Home insurance and income sources ------------------------------------------------


def _check_period(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise TenancyError(_("The end of the period cannot be before its start."), code="end_before_start", field=field)


def _add(ctx: AuditContext, tenancy: Tenancy, record: Model, end_field: str) -> Model:
    """Register `record` (an insurance or an income source, unsaved) on
    `tenancy`; its period must not end before it starts."""
    _check_period(record.valid_from, getattr(record, end_field), end_field)
    record.tenancy = tenancy
    record.save()
    log_access(ctx, AccessAction.CREATE, record)
    return record


def _update(ctx: AuditContext, record: Model, fields: Sequence[str], end_field: str) -> Model:
    """Save an edited insurance or income source, keeping the field history."""
    _check_period(record.valid_from, getattr(record, end_field), end_field)
    return save_tracked(ctx, record, fields, update_fields=fields).record


@transaction.atomic
def add_insurance(ctx: AuditContext, tenancy: Tenancy, insurance: HomeInsurance) -> HomeInsurance:
    """Register the tenant's home insurance for `tenancy`."""
    return _add(ctx, tenancy, insurance, "valid_until")


@transaction.atomic
def update_insurance(ctx: AuditContext, insurance: HomeInsurance) -> HomeInsurance:
    return _update(ctx, insurance, INSURANCE_FIELDS, "valid_until")


@transaction.atomic
def add_income(ctx: AuditContext, tenancy: Tenancy, income: IncomeSource) -> IncomeSource:
    """Register an income source of the tenant of `tenancy`."""
    return _add(ctx, tenancy, income, "valid_to")


@transaction.atomic
def update_income(ctx: AuditContext, income: IncomeSource) -> IncomeSource:
    return _update(ctx, income, INCOME_FIELDS, "valid_to")


@transaction.atomic
def end_income(ctx: AuditContext, income: IncomeSource, valid_to: date) -> IncomeSource:
    """The income source ended on `valid_to` (its last day)."""
    current = IncomeSource.objects.select_for_update().select_related("tenancy__client").get(pk=income.pk)
    if current.valid_to is not None:
        raise TenancyError(
            _("The income source already ended on %(date)s.") % {"date": _date(current.valid_to)}, code="ended"
        )
    _check_period(current.valid_from, valid_to, "valid_to")
    current.valid_to = valid_to
    return update_income(ctx, current)


def incomes_of_stay(tenancy: Tenancy) -> QuerySet[IncomeSource]:
    """The income sources of the tenant during this stay in the programme:
    those registered on this tenancy and on the tenancies it continues
    through internal moves (the same client and continuous_since). See
    TenancyQuerySet.self_supporting_on."""
    return IncomeSource.objects.filter(
        tenancy__client_id=tenancy.client_id, tenancy__continuous_since=tenancy.continuous_since
    )


def is_insured_on(insurances: Iterable[HomeInsurance], day: date) -> bool:
    """Whether one of `insurances` (an iterable) is valid on `day`."""
    return any(
        (item.valid_from is None or item.valid_from <= day) and item.valid_until >= day for item in insurances
    )
