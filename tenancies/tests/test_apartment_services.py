"""The apartment register's rules: money typed in kronor, object numbers
unique per unit, the status kept true to the tenancies, field history and
optimistic locking, and keys written to the apartment's history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from tenancies.forms.apartments import ApartmentForm
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, EndReason, KeySet, Landlord, Tenure
from tenancies.services import apartments as services
from tenancies.services import keys
from tenancies.tests.factories import ApartmentFactory, KeySetFactory, TenancyFactory, list_entry

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

TODAY = date(2024, 6, 15)



def _entry_pk(model, name):
    """The pk of the first unit's list entry `name` (made on first use): the
    apartment form chooses areas and landlords from the unit's lists."""
    from accounts.models import Unit
    from tenancies.tests.factories import list_entry

    return str(list_entry(model, Unit.objects.order_by("pk").first(), name).pk)


def form_data(**overrides):
    data = {
        "object_number": "OBJ-123",
        "street_address": "Fiktiva gatan 12",
        "postal_code": "186 30",
        "area": "Centrum",
        "kind": ApartmentKind.TRAINING,
        "tenure": Tenure.RENTAL,
        "rooms": "2",
        "size_m2": "48",
        "floor": "3",
        "has_lift": "on",
        "accessibility_notes": "",
        "landlord": "Kommunens fastighetsavdelning",
        "lease_start": "2024-01-01",
        "lease_end": "",
        "monthly_cost": "6 500",
        "rent": "6500,50",
        "status": ApartmentStatus.VACANT,
        "notes": "",
    }
    data.update(overrides)
    from tenancies.models import Area, Landlord

    for name, model in (("area", Area), ("landlord", Landlord)):
        if data.get(name) and not str(data[name]).isdigit():
            data[name] = _entry_pk(model, data[name])
    return data


# --- Money and numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ore"),
    [("6 500", 650_000), ("6500,50", 650_050), ("6\u00a0500 kr", 650_000), ("6.500", 650_000), ("0", 0)],
)
def test_money_typed_in_kronor_is_stored_in_ore(unit, typed, ore):
    form = ApartmentForm(form_data(monthly_cost=typed), unit_id=unit.pk)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["monthly_cost"] == ore


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("sextusen", "Ange ett belopp i kronor, till exempel 12 500 eller 12 500,50."),
        ("-100", "Beloppet kan inte vara negativt."),
        ("6500,555", "Ange högst två decimaler (ören)."),
    ],
)
def test_bad_money_gets_a_swedish_error_beside_the_field(unit, typed, message):
    form = ApartmentForm(form_data(rent=typed), unit_id=unit.pk)

    assert not form.is_valid()
    assert form.errors["rent"] == [message]
    assert set(form.errors) == {"rent"}


def test_rooms_and_size_take_a_decimal_comma(unit):
    form = ApartmentForm(form_data(rooms="2,5", size_m2="61,5"), unit_id=unit.pk)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["rooms"] == Decimal("2.5")
    assert form.cleaned_data["size_m2"] == Decimal("61.5")


def test_lease_end_before_start_is_refused_beside_the_end(unit):
    form = ApartmentForm(form_data(lease_start="2024-05-01", lease_end="2024-04-30"), unit_id=unit.pk)

    assert not form.is_valid()
    assert form.errors["lease_end"] == ["Förstahandskontraktet kan inte sluta innan det börjar."]


def test_a_new_apartment_cannot_be_registered_as_occupied(unit):
    form = ApartmentForm(form_data(status=ApartmentStatus.OCCUPIED), unit_id=unit.pk)

    assert not form.is_valid()
    assert "status" in form.errors


# --- Object numbers ---------------------------------------------------------------


def test_the_form_names_the_apartment_that_has_the_object_number(unit):
    holder = ApartmentFactory(unit=unit, object_number="OBJ-123", street_address="Storgatan 7")

    form = ApartmentForm(form_data(object_number=" obj-123 "), unit_id=unit.pk)

    assert not form.is_valid()
    error = form.errors["object_number"][0]
    assert "Objektsnumret OBJ-123 används redan av Storgatan 7." in error
    assert f"/lagenheter/{holder.pk}/" in error


def test_another_unit_may_use_the_same_object_number(unit, other_unit):
    ApartmentFactory(unit=other_unit, object_number="OBJ-123")

    assert ApartmentForm(form_data(), unit_id=unit.pk).is_valid()


def test_an_apartment_keeps_its_own_object_number_when_edited(unit):
    apartment = ApartmentFactory(unit=unit, object_number="OBJ-123")

    assert ApartmentForm(form_data(), instance=apartment, unit_id=unit.pk).is_valid()


def test_the_service_refuses_a_taken_object_number_too(ctx, unit):
    # Two people registering at once: both forms passed, the service checks again.
    ApartmentFactory(unit=unit, object_number="OBJ-123", street_address="Storgatan 7")
    apartment = ApartmentFactory.build(unit=unit, object_number="OBJ-123")

    with pytest.raises(services.ApartmentError) as refused:
        services.create_apartment(ctx, apartment)

    assert refused.value.field == "object_number"
    assert refused.value.messages == ["Objektsnumret OBJ-123 används redan av Storgatan 7."]
    assert Apartment.objects.count() == 1


# --- Register and edit ---------------------------------------------------------------


def test_create_puts_the_apartment_in_the_users_unit_and_logs_it(ctx, unit):
    form = ApartmentForm(form_data(), unit_id=unit.pk)
    assert form.is_valid()

    apartment = services.create_apartment(ctx, form.save(commit=False))

    assert apartment.unit == unit
    assert (apartment.monthly_cost, apartment.rent) == (650_000, 650_050)
    assert apartment.status == ApartmentStatus.VACANT
    entry = AccessLogEntry.objects.get(object_type="tenancies.apartment")
    assert (entry.action, entry.object_id) == (AccessAction.CREATE, str(apartment.pk))


def test_a_user_without_unit_cannot_register(unit):
    homeless = UserFactory(unit=None, roles=[Role.HOUSING_ADMIN])

    with pytest.raises(PermissionDenied):
        services.create_apartment(AuditContext(user=homeless), ApartmentFactory.build(unit=unit))


def test_edit_keeps_field_history_with_money_in_kronor(ctx, unit):
    apartment = ApartmentFactory(unit=unit, monthly_cost=650_000, rooms=2)
    apartment.monthly_cost = 700_050
    apartment.rooms = Decimal("2.5")

    services.update_apartment(ctx, apartment, expected_version=apartment.version)

    changes = {change.field: (change.old_value, change.new_value) for change in FieldChange.objects.all()}
    assert changes == {"monthly_cost": ("6\u00a0500\u00a0kr", "7\u00a0000,50\u00a0kr"), "rooms": ("2", "2,5")}
    assert Apartment.objects.get().version == 2


def test_a_stale_edit_is_refused(ctx, unit):
    apartment = ApartmentFactory(unit=unit)
    opened = apartment.version
    services.update_apartment(ctx, Apartment.objects.get(pk=apartment.pk), expected_version=opened)

    apartment.landlord = list_entry(Landlord, unit, "Överskriven")
    with pytest.raises(ConcurrentEditError):
        services.update_apartment(ctx, apartment, expected_version=opened)
    assert Apartment.objects.get().landlord.name == "Kommunens fastighetsavdelning"


def test_a_move_in_meanwhile_makes_an_open_edit_stale(ctx, unit, case_officer):
    """The move services bump the version when they set the status, so an
    edit opened before a move-in cannot put the apartment back to vacant."""
    from referrals.tests.factories import ClientFactory
    from tenancies.models import Tenancy
    from tenancies.services.moves import move_in
    from tenancies.tests.factories import granted_decision

    apartment = ApartmentFactory(unit=unit)
    opened = Apartment.objects.get(pk=apartment.pk)
    person = ClientFactory(unit=unit)
    move_in(AuditContext(user=case_officer), Tenancy(
        apartment=apartment, client=person, decision=granted_decision(person, decided_by=case_officer),
        start_date=date(2020, 2, 1),
    ))

    opened.notes = "Ändrad i ett formulär öppnat före inflyttningen."
    with pytest.raises(ConcurrentEditError):
        services.update_apartment(ctx, opened, expected_version=opened.version)
    assert Apartment.objects.get().status == ApartmentStatus.OCCUPIED


# --- Status -------------------------------------------------------------------------------


def set_status(ctx, apartment, status):
    return services.set_status(ctx, apartment, status, today=TODAY)


@pytest.mark.parametrize(
    "status", [ApartmentStatus.REPAIR, ApartmentStatus.BEING_RETURNED, ApartmentStatus.LEFT_PROGRAMME]
)
def test_a_never_let_apartment_may_get_any_manual_status_and_back_to_vacant(ctx, unit, status):
    apartment = ApartmentFactory(unit=unit)

    set_status(ctx, apartment, status)
    assert Apartment.objects.get().status == status
    set_status(ctx, apartment, ApartmentStatus.VACANT)
    assert Apartment.objects.get().status == ApartmentStatus.VACANT


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ApartmentStatus.REPAIR, "Lägenheten är uthyrd från 2024-01-01 till tills vidare. Den kan inte få status "
                                 "”under renovering” medan ett hyresförhållande pågår eller är bokat: registrera "
                                 "avflyttningen först."),
        (ApartmentStatus.LEFT_PROGRAMME, "Lägenheten är uthyrd från 2024-01-01 till tills vidare. Den kan inte få "
                                         "status ”lämnat verksamheten” medan ett hyresförhållande pågår eller är "
                                         "bokat: registrera avflyttningen först."),
        (ApartmentStatus.VACANT, "Lägenheten kan inte markeras som ledig: ett hyresförhållande pågår i dag (sedan "
                                 "2024-01-01). Den blir ledig när avflyttningen registreras."),
    ],
)
def test_refused_while_a_tenancy_is_active(ctx, unit, status, message):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))

    with pytest.raises(services.ApartmentError) as refused:
        set_status(ctx, apartment, status)

    assert refused.value.messages == [message]
    assert refused.value.field == "status"
    assert Apartment.objects.get().status == ApartmentStatus.OCCUPIED
    assert not FieldChange.objects.exists()


def test_being_returned_is_allowed_during_a_tenancy_and_occupied_again_after(ctx, unit):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))

    set_status(ctx, apartment, ApartmentStatus.BEING_RETURNED)
    set_status(ctx, apartment, ApartmentStatus.OCCUPIED)

    assert Apartment.objects.get().status == ApartmentStatus.OCCUPIED


def test_occupied_by_hand_is_refused_when_nobody_lives_there(ctx, unit):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=date(2024, 6, 14),
                   end_reason=EndReason.OWN_HOUSING)

    with pytest.raises(services.ApartmentError) as refused:
        set_status(ctx, apartment, ApartmentStatus.OCCUPIED)

    assert refused.value.messages[0].startswith("Lägenheten kan inte markeras som uthyrd: ingen bor i den i dag")


def test_the_move_out_day_still_counts_as_let(ctx, unit):
    # The end date is the move-out day, inclusive: on it the apartment is not vacant yet.
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=TODAY,
                   end_reason=EndReason.OWN_HOUSING)

    with pytest.raises(services.ApartmentError):
        set_status(ctx, apartment, ApartmentStatus.VACANT)
    with pytest.raises(services.ApartmentError):
        set_status(ctx, apartment, ApartmentStatus.REPAIR)
    # The next day it is free.
    services.set_status(ctx, apartment, ApartmentStatus.REPAIR, today=TODAY + timedelta(days=1))
    assert Apartment.objects.get().status == ApartmentStatus.REPAIR


def test_a_booked_move_in_blocks_leaving_the_programme(ctx, unit):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=TODAY + timedelta(days=10))

    with pytest.raises(services.ApartmentError) as refused:
        set_status(ctx, apartment, ApartmentStatus.LEFT_PROGRAMME)
    assert "2024-06-25" in refused.value.messages[0]


def test_after_the_last_move_out_repair_is_allowed(ctx, unit):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=date(2024, 5, 31),
                   end_reason=EndReason.OWN_HOUSING)

    set_status(ctx, apartment, ApartmentStatus.REPAIR)

    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("status", "Ledig", "Under renovering")
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, note="status").count() == 1


def test_the_edit_form_path_applies_the_same_status_rules(ctx, unit):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))
    apartment.status = ApartmentStatus.LEFT_PROGRAMME
    apartment.notes = "Ska lämnas tillbaka."

    with pytest.raises(services.ApartmentError) as refused:
        services.update_apartment(ctx, apartment, expected_version=apartment.version)

    assert refused.value.field == "status"
    stored = Apartment.objects.get()
    assert (stored.status, stored.notes, stored.version) == (ApartmentStatus.OCCUPIED, "", 1)


# --- Keys -------------------------------------------------------------------------------------


def test_keys_are_added_changed_and_removed_in_the_apartments_history(ctx, unit):
    apartment = ApartmentFactory(unit=unit)

    keyset = keys.add_keys(ctx, apartment, KeySet(count=3, tag="B12", kept_at="Nyckelskåpet"))
    keyset.kept_at = "Hos hyresgästen"
    keys.update_keys(ctx, keyset)
    keys.remove_keys(ctx, KeySet.objects.get())

    assert not KeySet.objects.exists()
    history = [(c.field, c.old_value, c.new_value) for c in FieldChange.objects.order_by("id")]
    assert history == [
        ("keys", "", "3 × B12, förvaras: Nyckelskåpet"),
        ("keys", "3 × B12, förvaras: Nyckelskåpet", "3 × B12, förvaras: Hos hyresgästen"),
        ("keys", "3 × B12, förvaras: Hos hyresgästen", ""),
    ]
    assert all(c.object_id == str(apartment.pk) for c in FieldChange.objects.all())
    actions = list(AccessLogEntry.objects.filter(object_type="tenancies.keyset").order_by("id")
                   .values_list("action", flat=True))
    assert actions == [AccessAction.CREATE, AccessAction.UPDATE, AccessAction.DELETE]


def test_an_unchanged_key_save_writes_no_history(ctx, unit):
    keyset = KeySetFactory(apartment=ApartmentFactory(unit=unit))

    keys.update_keys(ctx, keyset)

    assert not FieldChange.objects.exists()


def test_a_race_past_the_checks_meets_the_constraint_and_gets_the_same_message(ctx, unit, monkeypatch):
    """Two registrations at once can both pass the check; the database's
    unique constraint stops the second, and the user gets the same message."""
    ApartmentFactory(unit=unit, object_number="OBJ-123", street_address="Storgatan 7")
    monkeypatch.setattr(services, "_check_object_number", lambda apartment: None)
    apartment = ApartmentFactory.build(unit=unit, object_number="OBJ-123")

    with pytest.raises(services.ApartmentError) as refused:
        services.create_apartment(ctx, apartment)

    assert refused.value.messages == ["Objektsnumret OBJ-123 används redan av Storgatan 7."]
    assert Apartment.objects.count() == 1
    assert not AccessLogEntry.objects.filter(action=AccessAction.CREATE).exists()
