"""Where to go, and the registered address after a move (issue 12 §2):
tenancies.services.addresses and the move services' address change."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import FieldChange
from audit.versioning import ConcurrentEditError
from referrals.models import Client
from referrals.services.clients import update_client
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, EndReason, Tenancy
from tenancies.services.addresses import (
    Address,
    visit_address,
    visit_address_of_row,
    visit_addresses,
    with_visit_address,
)
from tenancies.services.moves import internal_move, move_out

from .factories import ApartmentFactory, TenancyFactory, moved_in

pytestmark = pytest.mark.django_db

OLD = Address("Gamla vägen 1", "111 22", "Stockholm")


@pytest.fixture
def person(unit, case_officer):
    return ClientFactory(unit=unit, responsible_officer=case_officer, street_address=OLD.street,
                         postal_code=OLD.postal_code, city=OLD.city)


@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Träningsgatan 5",
                            postal_code="186 31")


def stored(client):
    return Client.objects.get(pk=client.pk)


def address_history(client):
    return {row.field: row for row in FieldChange.objects.filter(object_type="referrals.client", object_id=str(client.pk))}


def test_a_move_in_makes_the_apartment_the_registered_address_with_history(ctx, unit, person, apartment):
    version = person.version

    moved_in(ctx, apartment, person, timezone.localdate())

    client = stored(person)
    assert (client.street_address, client.postal_code, client.city) == ("Träningsgatan 5", "186 31", unit.municipality)
    assert client.version == version + 1, "claimed like an edit"
    history = address_history(person)
    assert set(history) == {"street_address", "postal_code", "city"}
    street = history["street_address"]
    assert (street.old_value, street.new_value, street.user) == ("Gamla vägen 1", "Träningsgatan 5", ctx.user)
    assert street.is_protected, "address history is hidden like the client form's"
    assert history["city"].old_value == "Stockholm"


def test_a_case_officers_form_opened_before_the_move_in_conflicts_instead_of_writing_the_old_address_back(
    ctx, person, apartment
):
    opened = stored(person)
    moved_in(ctx, apartment, person, timezone.localdate())

    opened.notes = "Ändrat i ett gammalt formulär"
    with pytest.raises(ConcurrentEditError):
        update_client(ctx, opened, expected_version=opened.version)
    assert stored(person).street_address == "Träningsgatan 5"


def test_a_planned_move_in_leaves_the_registered_address_until_the_day(ctx, person, apartment):
    start = timezone.localdate() + timedelta(days=10)
    moved_in(ctx, apartment, person, start)

    assert stored(person).street_address == OLD.street
    assert not address_history(person)
    # Where to go switches on the move-in date.
    assert visit_address(stored(person)).visit == OLD
    on_the_day = visit_address(stored(person), day=start)
    assert on_the_day.visit == Address("Träningsgatan 5", "186 31", apartment.unit.municipality)
    assert on_the_day.differs


def test_a_move_out_leaves_the_registered_address(ctx, person, apartment):
    tenancy = moved_in(ctx, apartment, person, timezone.localdate() - timedelta(days=30))
    client_rows = FieldChange.objects.filter(object_type="referrals.client").count()

    move_out(ctx, tenancy, timezone.localdate() - timedelta(days=1), EndReason.MOVED_AWAY_UNKNOWN)

    assert stored(person).street_address == "Träningsgatan 5", "where the client went is not known"
    assert FieldChange.objects.filter(object_type="referrals.client").count() == client_rows
    after = visit_address(stored(person))
    assert (after.from_tenancy, str(after.visit)) == (False, f"Träningsgatan 5, 186 31 {apartment.unit.municipality}")


def test_an_internal_move_moves_the_registered_address_too(ctx, unit, person, apartment):
    tenancy = moved_in(ctx, apartment, person, timezone.localdate() - timedelta(days=60))
    other = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Nya gränd 2", postal_code="186 32")

    internal_move(ctx, tenancy, Tenancy(apartment=other, start_date=timezone.localdate()))

    assert stored(person).street_address == "Nya gränd 2"
    assert address_history(person)["street_address"].old_value in ("Träningsgatan 5", "Gamla vägen 1")
    assert visit_address(stored(person)).visit.street == "Nya gränd 2"


def test_where_to_go_is_the_current_apartment_else_the_registered_address(unit, person, apartment):
    # An imported tenancy: the registered address was never changed.
    TenancyFactory(apartment=apartment, client=person, start_date=date(2024, 1, 1))
    nowhere = ClientFactory(unit=unit, street_address="", postal_code="", city="")
    at_home = ClientFactory(unit=unit, street_address="Hemvägen 3", postal_code="186 40", city="Vallentuna")

    result = visit_addresses([person, nowhere, at_home])

    assert str(result[person.pk].visit) == f"Träningsgatan 5, 186 31 {unit.municipality}"
    assert result[person.pk].registered == OLD
    assert result[person.pk].from_tenancy and result[person.pk].differs
    assert result[nowhere.pk].visit is None and not result[nowhere.pk].differs
    assert str(result[at_home.pk].visit) == "Hemvägen 3, 186 40 Vallentuna"
    assert not result[at_home.pk].from_tenancy


def test_where_to_go_takes_one_query_for_any_number_of_clients(unit, django_assert_num_queries):
    clients = []
    for i in range(12):
        client = ClientFactory(unit=unit)
        TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client, start_date=date(2024, 1, 1 + i))
        clients.append(client)
    clients.append(ClientFactory(unit=unit))

    with django_assert_num_queries(1):
        result = visit_addresses(clients)

    assert sum(address.from_tenancy for address in result.values()) == 12


def test_the_annotation_gives_the_same_answer_as_the_batch(unit, person, apartment):
    TenancyFactory(apartment=apartment, client=person, start_date=date(2024, 1, 1))
    other = ClientFactory(unit=unit)

    rows = {row.pk: row for row in with_visit_address(Client.objects.filter(pk__in=[person.pk, other.pk]), "pk")}

    batch = visit_addresses([person, other])
    for client in (person, other):
        assert visit_address_of_row(rows[client.pk], client) == batch[client.pk]
