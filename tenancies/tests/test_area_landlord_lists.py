"""Issue 12 §7: fixed lists for area and landlord instead of free text that
had given both "centrum" and "Centrum": the merge of the old texts, the
manage page, the apartment form and filters, and the register import."""


import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from tenancies import importer
from tenancies.importer import run_import
from tenancies.models import Apartment, Area, Landlord, merge_spellings
from tenancies.services import lists as services

from .factories import ApartmentFactory, list_entry, register_csv

pytestmark = pytest.mark.django_db

HEADER = [column.header for column in importer.COLUMNS]


# --- The merge of the old free texts -----------------------------------------------------------


def test_spellings_that_differ_in_case_or_spaces_become_one_named_by_the_most_used():
    merged = merge_spellings(["centrum", "Centrum", " Centrum ", "Centrum", "Norra  Kvarnen", "norra kvarnen", ""])
    assert merged == {"centrum": "Centrum", "norra kvarnen": "Norra Kvarnen"}


def test_a_tie_is_named_by_the_capitalised_spelling():
    assert merge_spellings(["söder", "Söder"]) == {"söder": "Söder"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_merges_the_free_texts_per_unit():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from accounts.models import Unit

    if connection.vendor == "postgresql":
        pytest.skip("the runtime role of the PostgreSQL suite may not run DDL (audit/testing.py)")
    before, after = [("tenancies", "0004_complaint_version")], [("tenancies", "0005_area_landlord_lists")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldApartment = old.get_model("tenancies", "Apartment")
    first, second = Unit.objects.create(municipality="Ettby"), Unit.objects.create(municipality="Tvåby")
    texts = [(first, "centrum", "Fiktiva Bostäder AB"), (first, "Centrum ", "fiktiva bostäder ab"),
             (first, "Centrum", "Fiktiva  Bostäder AB"), (first, "", "Brf Låtsas"), (second, "centrum", "X AB")]
    for n, (unit, area, landlord) in enumerate(texts):
        OldApartment.objects.create(unit_id=unit.pk, object_number=f"M-{n}", street_address=f"Gatan {n}",
                                    area=area, landlord=landlord, rooms=1, size_m2=30, kind="training",
                                    tenure="rental")
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        NewArea = new.get_model("tenancies", "Area")
        NewLandlord = new.get_model("tenancies", "Landlord")
        NewApartment = new.get_model("tenancies", "Apartment")
        assert sorted(NewArea.objects.values_list("unit_id", "name")) == [(first.pk, "Centrum"),
                                                                          (second.pk, "centrum")]
        assert sorted(NewLandlord.objects.filter(unit_id=first.pk).values_list("name", flat=True)) == [
            "Brf Låtsas", "Fiktiva Bostäder AB"]
        rows = {a.object_number: a for a in NewApartment.objects.select_related("area", "landlord")}
        assert {rows[f"M-{n}"].area.name for n in range(3)} == {"Centrum"}
        assert rows["M-3"].area is None
        assert {rows[f"M-{n}"].landlord_id for n in range(3)} == {
            NewLandlord.objects.get(unit_id=first.pk, name="Fiktiva Bostäder AB").pk}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        Apartment.objects.all().delete()
        Area.objects.all().delete()
        Landlord.objects.all().delete()


# --- The service ------------------------------------------------------------------------------


@pytest.mark.acting_as("housing_admin")
def test_a_name_that_differs_only_in_case_or_spaces_is_refused(ctx, unit):
    services.save_entry(ctx, Area(name="  Centrum "))
    assert Area.objects.get().name == "Centrum"
    with pytest.raises(services.ListError) as error:
        services.save_entry(ctx, Area(name="centrum"))
    assert error.value.messages[0] == "Centrum finns redan i listan."
    assert Area.objects.count() == 1


@pytest.mark.acting_as("housing_admin")
def test_an_entry_in_use_is_not_deleted(ctx, unit):
    apartment = ApartmentFactory(unit=unit, area="Norr")
    with pytest.raises(services.ListError):
        services.delete_entry(ctx, apartment.area)
    assert Area.objects.filter(pk=apartment.area_id).exists()
    unused = list_entry(Area, unit, "Väster")
    services.delete_entry(ctx, unused)
    assert not Area.objects.filter(pk=unused.pk).exists()


# --- The manage page --------------------------------------------------------------------------


URL = reverse("tenancies:list_entries")


def test_the_manage_page_is_the_housing_administrators(client, users, unit, other_unit):
    ApartmentFactory(unit=unit, area="Centrum")
    list_entry(Area, other_unit, "Annan enhets område")
    assert client.get(URL).status_code == 302
    client.force_login(users["case_officer"])
    assert client.get(URL).status_code == 403
    client.force_login(users["housing_admin"])
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "Centrum" in html and "Annan enhets område" not in html
    # Outsider: another unit's housing administrator cannot reach this unit's entry.
    entry = Area.objects.get(unit=unit, name="Centrum")
    client.force_login(UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(reverse("tenancies:list_entry_edit", args=["omraden", entry.pk])).status_code == 404
    assert client.post(reverse("tenancies:list_entry_delete", args=["omraden", entry.pk])).status_code == 404


def test_the_housing_administrator_adds_renames_and_deactivates(client, housing_admin, unit):
    client.force_login(housing_admin)
    response = client.post(reverse("tenancies:list_entry_add", args=["hyresvardar"]),
                           {"hyresvardar-name": "Fiktiva Bostäder AB"})
    assert response.status_code == 302
    landlord = Landlord.objects.get(unit=unit)

    response = client.post(reverse("tenancies:list_entry_add", args=["hyresvardar"]),
                           {"hyresvardar-name": "fiktiva  bostäder ab"})
    assert response.status_code == 200
    assert "Fiktiva Bostäder AB finns redan i listan." in response.content.decode()
    assert Landlord.objects.count() == 1

    apartment = ApartmentFactory(unit=unit, landlord=landlord)
    response = client.post(reverse("tenancies:list_entry_edit", args=["hyresvardar", landlord.pk]),
                           {"name": "Fiktiva Bostäder i Vallentuna AB"})  # is_active unticked: deactivate
    assert response.status_code == 302
    landlord.refresh_from_db()
    assert landlord.name == "Fiktiva Bostäder i Vallentuna AB" and not landlord.is_active
    # Still on its apartment, no longer offered for new ones.
    page = client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode()
    assert "Fiktiva Bostäder i Vallentuna AB" in page
    form = client.get(reverse("tenancies:apartment_create")).context["form"]
    assert landlord not in form.fields["landlord"].queryset

    response = client.post(reverse("tenancies:list_entry_delete", args=["hyresvardar", landlord.pk]))
    assert response.status_code == 302 and Landlord.objects.filter(pk=landlord.pk).exists()


def test_the_list_filters_by_area_and_landlord(client, housing_admin, unit):
    north = ApartmentFactory(unit=unit, area="Norr", landlord="Värden A")
    ApartmentFactory(unit=unit, area="Söder", landlord="Värden A")
    ApartmentFactory(unit=unit, area="Norr", landlord="Värden B")
    client.force_login(housing_admin)
    response = client.get(reverse("tenancies:apartment_list"),
                          {"omrade": north.area_id, "hyresvard": north.landlord_id})
    assert [a.pk for a in response.context["page_obj"].object_list] == [north.pk]


# --- The register import ------------------------------------------------------------------------


def register(area, landlord):
    return [HEADER, [{
        "Objektsnummer": "IMP-1", "Adress": "Importgatan 1", "Område": area, "Antal rum": "2", "Yta (m²)": "50",
        "Lägenhetstyp": "Träningslägenhet", "Upplåtelseform": "Hyresrätt", "Hyresvärd": landlord,
    }.get(header, "") for header in HEADER]]


@pytest.mark.acting_as("housing_admin", path="test")
def test_the_import_maps_names_to_the_lists_ignoring_case_and_spaces(ctx, unit):
    area, landlord = list_entry(Area, unit, "Centrum"), list_entry(Landlord, unit, "Fiktiva Bostäder AB")
    result = run_import(ctx, register_csv(register("  centrum", "FIKTIVA bostäder AB")), unit, dry_run=False)
    assert result.applied, [str(error) for error in result.errors]
    apartment = Apartment.objects.get(object_number="IMP-1")
    assert (apartment.area, apartment.landlord) == (area, landlord)
    assert Area.objects.count() == 1


@pytest.mark.acting_as("housing_admin", path="test")
def test_an_unknown_name_is_a_row_error_and_nothing_is_imported(ctx, unit):
    list_entry(Landlord, unit, "Fiktiva Bostäder AB")
    rows = register("Centrum", "Fiktiva Bostäder AB")
    rows.append(list(rows[1]))
    rows[2][HEADER.index("Objektsnummer")] = "IMP-2"
    rows[2][HEADER.index("Hyresvärd")] = "Okänd Värd AB"
    result = run_import(ctx, register_csv(rows), unit, dry_run=False)
    assert not result.applied
    messages = {(error.row, error.column, error.message) for error in result.errors}
    assert (2, "Område", "Området ”Centrum” finns inte i enhetens lista över områden. Lägg till det under "
            "Områden och hyresvärdar, eller rätta stavningen.") in messages
    assert any(row == 3 and column == "Hyresvärd" for row, column, _message in messages)
    assert Apartment.objects.count() == 0 and Area.objects.count() == 0


def test_the_template_offers_the_units_lists(client, housing_admin, unit):
    import io

    import openpyxl

    list_entry(Area, unit, "Centrum")
    list_entry(Landlord, unit, "Fiktiva Bostäder AB")
    client.force_login(housing_admin)
    content = client.get(reverse("tenancies:import_template")).content
    values = openpyxl.load_workbook(io.BytesIO(content))["Värden"]
    columns = {column[0].value: [cell.value for cell in column[1:] if cell.value] for column in values.columns}
    assert columns["Område"] == ["Centrum"] and columns["Hyresvärd"] == ["Fiktiva Bostäder AB"]


@pytest.mark.parametrize("n", [2, 30])
def test_the_manage_page_costs_the_same_for_few_and_many_entries(client, housing_admin, unit, n,
                                                                 django_assert_num_queries):
    for i in range(n):
        ApartmentFactory(unit=unit, area=f"Område {i}", landlord=f"Värd {i}")
    client.force_login(housing_admin)
    client.get(URL)  # the first request of a session saves it once more
    # The base page (8: session, user, permissions, notifications, session
    # save; see test_apartment_queries) + the two lists, each with its
    # apartment count.
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(response.context["sections"][0]["entries"]) == n
