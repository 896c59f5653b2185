"""The move-out service: end date, a required end reason from the catalogue,
the apartment's status afterwards, and optimistic locking."""

from datetime import date

import pytest
from django.db import connection

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentStatus, EndReason, Tenancy
from tenancies.services.moves import move_in, move_out
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, TenancyFactory, granted_decision, moved_in

pytestmark = pytest.mark.django_db



@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit)


@pytest.fixture
def tenancy(ctx, apartment, client_record):
    return moved_in(ctx, apartment, client_record, date(2022, 4, 1))


def written(tenancy):
    tenancy.apartment.refresh_from_db()
    stored = Tenancy.objects.get(pk=tenancy.pk)
    return (
        stored.end_date, stored.end_reason, stored.version, tenancy.apartment.status,
        AccessLogEntry.objects.count(), FieldChange.objects.count(),
    )


def refused(ctx, tenancy, *args, code, field=None, **kwargs):
    before = written(tenancy)
    with pytest.raises(TenancyError) as error:
        move_out(ctx, tenancy, *args, **kwargs)
    assert (error.value.code, error.value.field) == (code, field)
    assert written(tenancy) == before, "a refused move-out wrote something"
    return error.value.messages[0]


def test_move_out_ends_the_tenancy_and_frees_the_apartment(ctx, tenancy, apartment):
    move_out(ctx, tenancy, date(2024, 5, 31), EndReason.OWN_HOUSING, "Fick hyreskontrakt via bostadskön.")

    tenancy.refresh_from_db()
    apartment.refresh_from_db()
    assert tenancy.end_date == date(2024, 5, 31)
    assert tenancy.end_reason == EndReason.OWN_HOUSING
    assert tenancy.end_note == "Fick hyreskontrakt via bostadskön."
    assert tenancy.version == 2
    assert apartment.status == ApartmentStatus.VACANT


def test_move_out_is_logged_with_its_field_history(ctx, tenancy, client_record):
    move_out(ctx, tenancy, date(2024, 5, 31), EndReason.OWN_HOUSING, "Egen bostad.")

    entry = AccessLogEntry.objects.filter(object_type="tenancies.tenancy", action=AccessAction.UPDATE).get()
    assert (entry.note, entry.client_id) == ("move_out", client_record.pk)
    changes = {
        row.field: (row.old_value, row.new_value)
        for row in FieldChange.objects.filter(object_type="tenancies.tenancy", object_id=str(tenancy.pk))
    }
    assert changes == {
        "end_date": ("", "2024-05-31"),
        "end_reason": ("", "Eget boende på ordinarie bostadsmarknad"),
        "end_note": ("", "Egen bostad."),
    }
    assert FieldChange.objects.filter(
        object_type="tenancies.apartment", field="status", old_value="Uthyrd", new_value="Ledig"
    ).exists()


def test_after_a_first_hand_takeover_the_apartment_leaves_the_programme(ctx, tenancy, apartment, unit):
    move_out(ctx, tenancy, date(2025, 3, 31), EndReason.FIRST_HAND_TAKEOVER)

    apartment.refresh_from_db()
    assert apartment.status == ApartmentStatus.LEFT_PROGRAMME
    # ... and can no longer be let.
    newcomer = ClientFactory(unit=unit)
    with pytest.raises(TenancyError) as error:
        move_in(ctx, Tenancy(apartment=apartment, client=newcomer, start_date=date(2025, 5, 1),
                             decision=granted_decision(newcomer, decided_on=date(2025, 4, 1))))
    assert error.value.code == "left_programme"


def test_a_status_set_by_the_housing_administrator_stays(ctx, tenancy, apartment):
    # The apartment was marked "being returned" while the tenant still lived there.
    type(apartment).objects.filter(pk=apartment.pk).update(status=ApartmentStatus.BEING_RETURNED)

    move_out(ctx, tenancy, date(2024, 5, 31), EndReason.DIED)

    apartment.refresh_from_db()
    assert apartment.status == ApartmentStatus.BEING_RETURNED


def test_the_move_out_may_be_on_the_move_in_day(ctx, tenancy):
    move_out(ctx, tenancy, date(2022, 4, 1), EndReason.MOVED_AWAY_UNKNOWN)

    assert Tenancy.objects.get(pk=tenancy.pk).end_date == date(2022, 4, 1)


@pytest.mark.parametrize("reason", ["", "unknown_reason"])
def test_an_end_reason_from_the_catalogue_is_required(ctx, tenancy, reason):
    message = refused(ctx, tenancy, date(2024, 5, 31), reason, code="no_reason", field="end_reason")
    assert message == "Välj varför hyresförhållandet avslutas."


def test_the_end_date_is_required(ctx, tenancy):
    refused(ctx, tenancy, None, EndReason.OWN_HOUSING, code="no_end_date", field="end_date")


def test_refused_with_an_end_before_the_start(ctx, tenancy):
    message = refused(ctx, tenancy, date(2022, 3, 31), EndReason.OWN_HOUSING, code="before_start", field="end_date")
    assert message == "Utflyttningsdatumet kan inte vara före inflyttningsdatumet (2022-04-01)."


def test_refused_for_a_tenancy_already_ended(ctx, tenancy):
    move_out(ctx, tenancy, date(2024, 5, 31), EndReason.OWN_HOUSING)

    message = refused(ctx, tenancy, date(2024, 6, 30), EndReason.DIED, code="ended")
    assert message == "Hyresförhållandet avslutades redan 2024-05-31."


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="on PostgreSQL the exclusion constraint makes this overlapping history impossible to store",
)
def test_refused_when_it_would_overlap_a_later_tenancy(ctx, unit):
    # A history written behind the services' back on SQLite: a tenancy still
    # open although a later one of the apartment is registered.
    apartment = ApartmentFactory(unit=unit)
    earlier = TenancyFactory(apartment=apartment, start_date=date(2020, 1, 1))
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=date(2023, 6, 30),
                   end_reason=EndReason.OWN_HOUSING)

    message = refused(ctx, earlier, date(2023, 1, 1), EndReason.OWN_HOUSING, code="overlap", field="end_date")
    assert "2023-01-01" in message


def test_a_stale_version_is_refused_and_nothing_is_written(ctx, tenancy):
    # Someone changed the rent after the move-out form was opened (version 1).
    Tenancy.objects.filter(pk=tenancy.pk).update(version=2, rent=1)
    before = written(tenancy)

    with pytest.raises(ConcurrentEditError):
        move_out(ctx, tenancy, date(2024, 5, 31), EndReason.OWN_HOUSING, expected_version=1)

    assert written(tenancy) == before


def test_the_current_version_is_accepted(ctx, tenancy):
    move_out(ctx, tenancy, date(2024, 5, 31), EndReason.OWN_HOUSING, expected_version=1)

    assert tenancy.version == 2, "the caller's instance carries the new version"
