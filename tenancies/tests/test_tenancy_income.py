"""Self-supporting on a day (TenancyQuerySet.self_supporting_on), home
insurance and income sources, with small hand-built histories."""

from datetime import date

import pytest

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.tests.factories import ClientFactory
from tenancies.models import EndReason, HomeInsurance, IncomeKind, IncomeSource, Tenancy
from tenancies.services import terms as services
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, TenancyFactory, add_income

pytestmark = pytest.mark.django_db



@pytest.fixture
def history(unit):
    """Four tenants; see each test for what holds on which day.

    A  2023-01-01 – (open)       salary 2023-03-01 – 2023-08-31,
                                 financial assistance 2023-01-01 – (open)
    B  2022-06-01 – 2023-06-30   pension 2022-06-01 – (open)
    C1 2021-01-01 – 2023-04-30   ended "moved within the programme";
                                 student aid 2021-09-01 – (open), registered on C1
    C2 2023-05-01 – (open)       internal move, the same stay as C1; no income of its own
    D1 2019-01-01 – 2020-12-31   own housing; salary 2019-01-01 – (open), never ended
    D2 2022-01-01 – (open)       a new stay; no income of its own
    """

    def tenancy(client, start, end=None, reason=""):
        return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client, start_date=start,
                              end_date=end, end_reason=reason)

    a, b, c, d = (ClientFactory(unit=unit) for _ in range(4))
    rows = {
        "A": tenancy(a, date(2023, 1, 1)),
        "B": tenancy(b, date(2022, 6, 1), date(2023, 6, 30), EndReason.OWN_HOUSING),
        "C1": tenancy(c, date(2021, 1, 1), date(2023, 4, 30), EndReason.MOVED_WITHIN_PROGRAMME),
        "D1": tenancy(d, date(2019, 1, 1), date(2020, 12, 31), EndReason.OWN_HOUSING),
    }
    rows["C2"] = tenancy(c, date(2023, 5, 1))
    rows["D2"] = tenancy(d, date(2022, 1, 1))
    add_income(rows["A"], IncomeKind.SALARY, date(2023, 3, 1), date(2023, 8, 31))
    add_income(rows["A"], IncomeKind.FINANCIAL_ASSISTANCE, date(2023, 1, 1))
    add_income(rows["B"], IncomeKind.PENSION, date(2022, 6, 1))
    add_income(rows["C1"], IncomeKind.STUDENT_AID, date(2021, 9, 1))
    add_income(rows["D1"], IncomeKind.SALARY, date(2019, 1, 1))
    return rows


def names(history, queryset):
    by_pk = {tenancy.pk: name for name, tenancy in history.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # A: salary covers the day. B: held until 06-30, pension. C2: the
        # student aid registered on C1 follows the internal move. D2: the
        # salary of the earlier, separate stay does not count.
        (date(2023, 6, 15), {"A", "B", "C2"}),
        # The last day of A's salary still counts (both ends inclusive).
        (date(2023, 8, 31), {"A", "C2"}),
        # A has only financial assistance left; B has moved out.
        (date(2023, 9, 1), {"C2"}),
        # A's salary has not started; C1 still held with student aid; C2 not started.
        (date(2023, 2, 28), {"B", "C1"}),
        # Before C1's student aid: nobody (B's pension starts 2022-06-01).
        (date(2021, 8, 31), set()),
    ],
)
def test_self_supporting_on_a_day(history, day, expected):
    assert names(history, Tenancy.objects.self_supporting_on(day)) == expected


def test_held_on_is_the_denominator(history):
    # For the share: tenancies held on 2023-06-15 are A, B, C2 and D2 (3 of 4 self-supporting).
    assert names(history, Tenancy.objects.held_on(date(2023, 6, 15))) == {"A", "B", "C2", "D2"}


def test_self_supporting_chains_with_other_filters(history, unit, other_unit):
    stranger = TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2023, 1, 1))
    add_income(stranger, IncomeKind.SALARY, date(2023, 1, 1))

    in_unit = Tenancy.objects.filter(apartment__unit=unit).self_supporting_on(date(2023, 6, 15))

    assert names(history, in_unit) == {"A", "B", "C2"}


# --- Home insurance -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "day", "insured"),
    [
        (None, date(2024, 12, 31), date(2024, 12, 31), True),
        (None, date(2024, 12, 31), date(2025, 1, 1), False),
        (date(2024, 1, 1), date(2024, 12, 31), date(2024, 1, 1), True),
        (date(2024, 1, 1), date(2024, 12, 31), date(2023, 12, 31), False),
    ],
)
def test_insured_on_a_day(valid_from, valid_until, day, insured):
    insurance = HomeInsurance(company="X", valid_from=valid_from, valid_until=valid_until)

    assert services.is_insured_on([insurance], day) is insured


def test_adding_and_editing_insurance_is_logged_with_history(ctx, unit, client_record):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record)
    insurance = services.add_insurance(ctx, tenancy, HomeInsurance(company="Folksam", valid_until=date(2024, 12, 31)))

    insurance.policy_number = "P-77"
    services.update_insurance(ctx, insurance)

    log = AccessLogEntry.objects.filter(object_type="tenancies.homeinsurance").order_by("id")
    assert [(row.action, row.client_id) for row in log] == [
        (AccessAction.CREATE, client_record.pk), (AccessAction.UPDATE, client_record.pk),
    ]
    change = FieldChange.objects.get(object_type="tenancies.homeinsurance")
    assert (change.field, change.old_value, change.new_value) == ("policy_number", "", "P-77")


def test_insurance_ending_before_it_starts_is_refused(ctx, unit):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit))

    with pytest.raises(TenancyError) as error:
        services.add_insurance(
            ctx, tenancy, HomeInsurance(company="X", valid_from=date(2024, 2, 1), valid_until=date(2024, 1, 31))
        )

    assert error.value.field == "valid_until"
    assert HomeInsurance.objects.count() == 0


# --- Income sources ----------------------------------------------------------------------------


def test_income_is_added_edited_and_ended_with_its_trail(ctx, unit, client_record):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record)
    income = services.add_income(ctx, tenancy, IncomeSource(kind=IncomeKind.SALARY, valid_from=date(2024, 1, 1)))
    income.kind = IncomeKind.PENSION
    services.update_income(ctx, income)

    services.end_income(ctx, income, date(2024, 6, 30))

    income.refresh_from_db()
    assert (income.kind, income.valid_to) == (IncomeKind.PENSION, date(2024, 6, 30))
    changes = list(FieldChange.objects.filter(object_type="tenancies.incomesource").order_by("id")
                   .values_list("field", "old_value", "new_value"))
    assert changes == [("kind", "Lön", "Pension"), ("valid_to", "", "2024-06-30")]
    assert AccessLogEntry.objects.filter(object_type="tenancies.incomesource", client_id=client_record.pk).count() == 3


def test_an_income_cannot_end_twice_or_before_it_started(ctx, unit):
    income = add_income(TenancyFactory(apartment=ApartmentFactory(unit=unit)), valid_from=date(2024, 1, 1))

    with pytest.raises(TenancyError) as before_start:
        services.end_income(ctx, income, date(2023, 12, 31))
    services.end_income(ctx, income, date(2024, 3, 31))
    with pytest.raises(TenancyError) as twice:
        services.end_income(ctx, income, date(2024, 4, 30))

    assert before_start.value.field == "valid_to"
    assert twice.value.messages[0] == "Inkomstkällan avslutades redan 2024-03-31."
    income.refresh_from_db()
    assert income.valid_to == date(2024, 3, 31)


def test_the_income_sources_of_a_stay_follow_internal_moves_only(history):
    assert set(services.incomes_of_stay(history["C2"]).values_list("kind", flat=True)) == {IncomeKind.STUDENT_AID}
    assert not services.incomes_of_stay(history["D2"]).exists()


# --- Terms -----------------------------------------------------------------------------------------


def test_changing_the_terms_keeps_the_history_and_claims_the_version(ctx, unit):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), rent=600_000)
    tenancy.notice_weeks = 4

    services.update_terms(ctx, tenancy, expected_version=1)

    assert Tenancy.objects.get(pk=tenancy.pk).version == 2
    change = FieldChange.objects.get(object_type="tenancies.tenancy")
    assert (change.field, change.old_value, change.new_value) == ("notice_weeks", "2", "4")
