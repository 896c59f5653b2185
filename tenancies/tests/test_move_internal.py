"""Internal moves (omflyttning): the old tenancy ends "moved within the
programme" the day before, the new one starts, in one transaction."""

from datetime import date

import pytest

from audit.models import AccessAction, AccessLogEntry
from audit.versioning import ConcurrentEditError
from referrals.models import Decision, DecisionKind
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy
from tenancies.services.moves import internal_move
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, TenancyFactory, granted_decision, moved_in

pytestmark = pytest.mark.django_db



@pytest.fixture
def old_apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)


@pytest.fixture
def new_apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, rent=700_000)


@pytest.fixture
def tenancy(ctx, old_apartment, client_record):
    return moved_in(ctx, old_apartment, client_record, date(2021, 9, 1))


def state(tenancy, new_apartment):
    new_apartment.refresh_from_db()
    stored = Tenancy.objects.get(pk=tenancy.pk)
    return (Tenancy.objects.count(), stored.end_date, stored.version, new_apartment.status, AccessLogEntry.objects.count())


def refused(ctx, tenancy, new_tenancy, code, field=None, **kwargs):
    new_apartment = new_tenancy.apartment
    before = state(tenancy, new_apartment)
    with pytest.raises(TenancyError) as error:
        internal_move(ctx, tenancy, new_tenancy, **kwargs)
    assert (error.value.code, error.value.field) == (code, field)
    assert state(tenancy, new_apartment) == before, "a refused internal move wrote something"
    return error.value.messages[0]


def test_internal_move_ends_the_old_tenancy_the_day_before_and_starts_the_new(
    ctx, tenancy, old_apartment, new_apartment, client_record
):
    new = internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)))

    tenancy.refresh_from_db()
    new.refresh_from_db()
    assert (tenancy.end_date, tenancy.end_reason) == (date(2023, 1, 31), EndReason.MOVED_WITHIN_PROGRAMME)
    assert new.client == client_record
    assert new.start_date == date(2023, 2, 1)
    assert new.rent == 700_000, "the new apartment's rent"
    assert new.is_internal_move is True
    assert new.continuous_since == date(2021, 9, 1)
    old_apartment.refresh_from_db()
    new_apartment.refresh_from_db()
    assert (old_apartment.status, new_apartment.status) == (ApartmentStatus.VACANT, ApartmentStatus.OCCUPIED)


def test_the_decision_carries_over_to_an_apartment_of_the_same_kind(ctx, tenancy, new_apartment):
    new = internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)))

    decision = Decision.objects.get(pk=tenancy.decision_id)
    assert new.decision_id == tenancy.decision_id
    assert decision.executed_on == date(2021, 9, 1), "executed once, at the first move-in"


def test_internal_move_is_logged(ctx, tenancy, new_apartment):
    new = internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)))

    rows = AccessLogEntry.objects.filter(object_type="tenancies.tenancy").values_list("object_id", "action", "note")
    assert (str(tenancy.pk), AccessAction.UPDATE, "move_out") in rows
    assert (str(new.pk), AccessAction.CREATE, "internal_move") in rows


def test_another_kind_of_apartment_needs_its_own_decision(ctx, unit, tenancy, client_record, case_officer):
    trial = ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL)

    message = refused(ctx, tenancy, Tenancy(apartment=trial, start_date=date(2023, 2, 1)), "wrong_kind", "decision")
    assert "försökslägenhet" in message

    decision = granted_decision(client_record, kind=DecisionKind.TRIAL_APARTMENT, decided_on=date(2023, 1, 10),
                                decided_by=case_officer)
    new = internal_move(ctx, tenancy, Tenancy(apartment=trial, start_date=date(2023, 2, 1), decision=decision))

    decision.refresh_from_db()
    assert new.decision == decision
    assert decision.executed_on == date(2023, 2, 1)
    assert new.is_internal_move is True


def test_an_expired_decision_does_not_carry_over(ctx, tenancy, new_apartment):
    Decision.objects.filter(pk=tenancy.decision_id).update(valid_to=date(2022, 12, 31))
    tenancy.decision.refresh_from_db()

    refused(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)), "outside_validity", "start_date")


def test_chained_internal_moves_keep_the_first_day_in_the_programme(ctx, unit, tenancy):
    second = internal_move(ctx, tenancy, Tenancy(apartment=ApartmentFactory(unit=unit), start_date=date(2022, 6, 1)))
    third = internal_move(ctx, second, Tenancy(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 15)))

    assert third.continuous_since == date(2021, 9, 1)
    assert Tenancy.objects.filter(client=tenancy.client, end_date__isnull=True).get() == third


def test_refused_to_the_same_apartment(ctx, tenancy, old_apartment):
    refused(ctx, tenancy, Tenancy(apartment=old_apartment, start_date=date(2023, 2, 1)), "same_apartment", "apartment")


def test_refused_into_an_apartment_that_has_left_the_programme(ctx, tenancy, new_apartment):
    new_apartment.status = ApartmentStatus.LEFT_PROGRAMME
    new_apartment.save()

    refused(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)), "left_programme", "apartment")


def test_refused_into_an_apartment_let_to_someone_else(ctx, unit, tenancy, new_apartment):
    TenancyFactory(apartment=new_apartment, client=ClientFactory(unit=unit), start_date=date(2022, 1, 1))

    refused(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)), "overlap", "start_date")


@pytest.mark.parametrize("start", [date(2021, 9, 1), date(2021, 8, 1)])
def test_refused_when_the_new_tenancy_does_not_start_after_the_current(ctx, tenancy, new_apartment, start):
    refused(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=start), "before_start", "start_date")


def test_refused_for_an_ended_tenancy(ctx, tenancy, new_apartment):
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(2022, 1, 31), end_reason=EndReason.OWN_HOUSING)

    refused(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)), "ended")


def test_a_stale_version_is_refused_and_nothing_is_written(ctx, tenancy, new_apartment):
    Tenancy.objects.filter(pk=tenancy.pk).update(version=5)
    before = state(tenancy, new_apartment)

    with pytest.raises(ConcurrentEditError):
        internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=date(2023, 2, 1)), expected_version=1)

    assert state(tenancy, new_apartment) == before
    assert Tenancy.objects.count() == 1
