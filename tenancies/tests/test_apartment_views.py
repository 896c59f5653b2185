"""The apartment pages at work: register and edit with money in kronor and
Swedish errors beside the fields, the edit conflict, keys and complaints,
and what the apartment page shows whom (tenant names, never addresses)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Complaint, KeySet, Landlord, Tenure
from tenancies.tests.factories import (
    ApartmentFactory,
    ComplaintFactory,
    KeySetFactory,
    TenancyFactory,
    list_entry,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("tenancies:apartment_create")


def _entry_pk(model, name):
    """The pk of the first unit's list entry `name` (made on first use): the
    apartment form chooses areas and landlords from the unit's lists."""
    from accounts.models import Unit
    from tenancies.tests.factories import list_entry

    return str(list_entry(model, Unit.objects.order_by("pk").first(), name).pk)


def form_data(**overrides):
    data = {
        "object_number": "OBJ-123", "street_address": "Fiktiva gatan 12", "postal_code": "186 30",
        "area": "Centrum", "kind": ApartmentKind.TRAINING, "tenure": Tenure.MUNICIPAL_TENANT_OWNER,
        "rooms": "2,5", "size_m2": "61", "floor": "2", "has_lift": "on", "accessibility_notes": "Ramp vid entrén.",
        "landlord": "Kommunens fastighetsavdelning", "lease_start": "2024-01-01", "lease_end": "",
        "monthly_cost": "6 500", "rent": "6500,50", "status": ApartmentStatus.VACANT, "notes": "",
    }
    data.update(overrides)
    from tenancies.models import Area, Landlord

    for name, model in (("area", Area), ("landlord", Landlord)):
        if data.get(name) and not str(data[name]).isdigit():
            data[name] = _entry_pk(model, data[name])
    return data


def edit_data(apartment, **overrides):
    data = form_data(
        object_number=apartment.object_number, street_address=apartment.street_address,
        kind=apartment.kind, tenure=apartment.tenure, status=apartment.status, version=str(apartment.version),
    )
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, housing_admin):
    client.force_login(housing_admin)
    return client


def test_the_housing_administrator_registers_an_apartment(admin_client, unit):
    response = admin_client.post(CREATE, form_data())

    apartment = Apartment.objects.get()
    assert response["Location"] == reverse("tenancies:apartment_detail", args=[apartment.pk])
    assert (apartment.unit, apartment.monthly_cost, apartment.rent) == (unit, 650_000, 650_050)
    assert (str(apartment.rooms), apartment.has_lift, apartment.lease_start) == ("2.5", True, date(2024, 1, 1))
    page = admin_client.get(response["Location"]).content.decode()
    assert "Lägenheten är registrerad." in page
    assert "6\u00a0500\u00a0kr" in page and "6\u00a0500,50\u00a0kr" in page
    assert "2,5 rok, 61 m²" in page


def test_bad_money_is_refused_beside_the_field_and_nothing_is_saved(admin_client):
    response = admin_client.post(CREATE, form_data(monthly_cost="sex och ett halvt"))

    html = response.content.decode()
    assert response.status_code == 200
    assert not Apartment.objects.exists()
    assert 'id="id_monthly_cost_error"' in html
    assert "Ange ett belopp i kronor, till exempel 12 500 eller 12 500,50." in html
    assert 'value="sex och ett halvt"' in html, "what the user typed is kept"


def test_a_taken_object_number_names_and_links_the_apartment(admin_client, unit):
    holder = ApartmentFactory(unit=unit, object_number="OBJ-123", street_address="Storgatan 7")

    html = admin_client.post(CREATE, form_data()).content.decode()

    assert "Objektsnumret OBJ-123 används redan av Storgatan 7." in html
    assert f'href="/lagenheter/{holder.pk}/"' in html
    assert Apartment.objects.count() == 1


def test_edit_saves_and_keeps_the_history(admin_client, unit):
    apartment = ApartmentFactory(unit=unit, object_number="OBJ-123", rent=600_000)

    response = admin_client.post(reverse("tenancies:apartment_edit", args=[apartment.pk]),
                                 edit_data(apartment, rent="6 200", monthly_cost="6 500"))

    assert response.status_code == 302
    assert Apartment.objects.get().rent == 620_000
    history = admin_client.get(reverse("tenancies:apartment_history", args=[apartment.pk])).content.decode()
    assert "6\u00a0000\u00a0kr" in history and "6\u00a0200\u00a0kr" in history
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, object_type="tenancies.apartment").exists()


def test_a_conflicting_edit_shows_the_users_input_and_the_saved_values(admin_client, unit):
    apartment = ApartmentFactory(unit=unit, landlord="Första värden")
    opened = apartment.version
    theirs = list_entry(Landlord, unit, "Någon annans värd")
    mine = list_entry(Landlord, unit, "Min värd")
    Apartment.objects.filter(pk=apartment.pk).update(version=opened + 1, landlord=theirs)

    response = admin_client.post(reverse("tenancies:apartment_edit", args=[apartment.pk]),
                                 edit_data(apartment, landlord=str(mine.pk)))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan sparade lägenheten medan du ändrade" in html
    assert f'<option value="{mine.pk}" selected>Min värd</option>' in html and "Någon annans värd" in html
    assert Apartment.objects.get().landlord == theirs


def test_a_status_the_tenancies_contradict_is_refused_beside_the_status(admin_client, unit):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))

    response = admin_client.post(reverse("tenancies:apartment_edit", args=[apartment.pk]),
                                 edit_data(apartment, status=ApartmentStatus.REPAIR))

    html = response.content.decode()
    assert 'id="id_status_error"' in html
    assert "registrera avflyttningen först" in html
    assert Apartment.objects.get().status == ApartmentStatus.OCCUPIED


def test_keys_are_added_edited_and_removed(admin_client, unit):
    apartment = ApartmentFactory(unit=unit)
    detail = reverse("tenancies:apartment_detail", args=[apartment.pk])

    admin_client.post(reverse("tenancies:keys_create", args=[apartment.pk]),
                      {"count": "3", "tag": "B12", "kept_at": "Nyckelskåpet", "note": "En är märkt röd."})
    keyset = KeySet.objects.get()
    assert "B12" in admin_client.get(detail).content.decode()

    admin_client.post(reverse("tenancies:keys_edit", args=[keyset.pk]),
                      {"count": "2", "tag": "B12", "kept_at": "Hos hyresgästen", "note": ""})
    assert (KeySet.objects.get().count, KeySet.objects.get().kept_at) == (2, "Hos hyresgästen")

    admin_client.post(reverse("tenancies:keys_delete", args=[keyset.pk]))
    assert not KeySet.objects.exists()
    assert FieldChange.objects.filter(object_id=str(apartment.pk), field="keys").count() == 3
    assert "Inga nycklar registrerade." in admin_client.get(detail).content.decode()


def test_zero_keys_are_refused(admin_client, unit):
    apartment = ApartmentFactory(unit=unit)

    html = admin_client.post(reverse("tenancies:keys_create", args=[apartment.pk]),
                             {"count": "0", "tag": "", "kept_at": "Skåpet", "note": ""}).content.decode()

    assert "Minst en nyckel." in html
    assert not KeySet.objects.exists()


def test_keys_of_another_units_apartment_are_not_found(admin_client, other_unit):
    keyset = KeySetFactory(apartment=ApartmentFactory(unit=other_unit))

    assert admin_client.post(reverse("tenancies:keys_delete", args=[keyset.pk])).status_code == 404
    assert KeySet.objects.exists()


def test_a_case_officer_registers_a_complaint_and_the_page_lists_it(client, case_officer, unit):
    apartment = ApartmentFactory(unit=unit)
    client.force_login(case_officer)

    response = client.post(reverse("tenancies:complaint_create", args=[apartment.pk]), {
        "occurred_on": "2024-03-01", "kind": "disturbance", "source": "housing_association",
        "description": "Klagomål från föreningen om rökning i trapphuset.", "action_taken": "",
    })

    assert response.status_code == 302
    assert Complaint.objects.get().tenancy is None
    page = client.get(response["Location"]).content.decode()
    assert "Lägenheten var inte uthyrd det datumet." in page
    assert "rökning i trapphuset" in page and "Bostadsrättsförening" in page


def test_a_complaint_in_the_future_is_refused_beside_the_date(client, case_officer, unit):
    apartment = ApartmentFactory(unit=unit)
    client.force_login(case_officer)
    tomorrow = timezone.localdate() + timedelta(days=1)

    html = client.post(reverse("tenancies:complaint_create", args=[apartment.pk]), {
        "occurred_on": f"{tomorrow:%Y-%m-%d}", "kind": "damage", "source": "staff", "description": "x",
    }).content.decode()

    assert 'id="id_occurred_on_error"' in html and "Datumet kan inte ligga i framtiden." in html
    assert not Complaint.objects.exists()


def test_the_housing_administrator_records_the_action_taken(admin_client, unit):
    complaint = ComplaintFactory(apartment=ApartmentFactory(unit=unit))

    response = admin_client.post(reverse("tenancies:complaint_action", args=[complaint.pk]),
                                 {"action_taken": "Varning skickad.", "version": complaint.version})

    assert response.status_code == 302
    assert Complaint.objects.get().action_taken == "Varning skickad."


# --- What the apartment page shows whom ----------------------------------------------


def test_a_protected_tenant_is_neither_named_nor_located(client, manager, unit):
    # Name + apartment address would reveal where the person lives.
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    tenant = ClientFactory(unit=unit, first_name="Skyddad", last_name="Person",
                           street_address="Hemliga vägen 3", phone="070-9999999",
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    TenancyFactory(apartment=apartment, client=tenant, start_date=date(2024, 1, 1))
    client.force_login(manager)

    pages = [client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode(),
             client.get(reverse("tenancies:apartment_list")).content.decode()]

    for html in pages:
        assert "Skyddad Person" not in html
        assert "Hyresgäst med skyddade personuppgifter" in html
        assert "Hemliga vägen" not in html and "070-9999999" not in html


def test_a_bolots_sees_their_clients_tenancy_but_not_the_earlier_tenants(client, unit, pilot):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    earlier = TenancyFactory(apartment=apartment, start_date=date(2022, 1, 1), end_date=date(2022, 12, 31),
                             end_reason="evicted")
    current = TenancyFactory(apartment=apartment, start_date=date(2023, 2, 1))
    accepted_order(pilot, make_pilot(unit, "bolots3"), client=current.client)
    ComplaintFactory(apartment=apartment, tenancy=earlier, occurred_on=date(2022, 6, 1),
                     description="Bråk med grannarna i juni.")
    ComplaintFactory(apartment=apartment, tenancy=current, occurred_on=date(2023, 6, 1),
                     description="Vattenskada i badrummet.")
    client.force_login(pilot)

    html = client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode()

    assert current.client.full_name in html
    assert earlier.client.full_name not in html
    assert "Annan hyresgäst" in html
    assert "Vattenskada i badrummet." in html
    assert "Bråk med grannarna" not in html
    assert "Gäller en tidigare hyresgäst: visas inte för dig." in html
    # A bolots may not see keys, nor edit.
    assert "Nycklar" not in html and "Ändra lägenhet" not in html


def test_the_navigation_has_the_apartments(client, case_officer):
    client.force_login(case_officer)

    html = client.get(reverse("tenancies:apartment_list")).content.decode()

    # In the "Boende" menu, marked as the current page.
    assert '<a class="dropdown-item active" href="/lagenheter/" aria-current="page">Lägenheter</a>' in html
    assert 'class="nav-link dropdown-toggle active"' in html
