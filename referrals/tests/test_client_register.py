from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry, FieldChange
from core import personnummer
from referrals.models import Client, LegalGender, ProtectionLevel, TargetGroup
from referrals.tests.factories import ClientFactory

VALID = personnummer.make_number(date(1984, 6, 15), 238)  # woman (3 is odd → man? see below)


def form_data(**overrides):
    data = {
        "first_name": "Greta",
        "last_name": "Fiktiv",
        "personal_number": VALID[2:8] + "-" + VALID[8:],
        "protection_level": ProtectionLevel.NONE,
        "target_groups": [TargetGroup.objects.get(code="missbruk").pk],
        "children_in_home": "2",
        "phone": "070-1234567",
        "street_address": "Påhittade vägen 3",
        "postal_code": "186 30",
        "city": "Vallentuna",
        "responsible_officer": "",
        "notes": "Fiktiv testperson.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, case_officer):
    client.force_login(case_officer)
    return client


def test_create_stores_twelve_digits_and_derived_fields(officer_client, case_officer):
    response = officer_client.post(
        reverse("referrals:client_create"),
        form_data(responsible_officer=case_officer.pk),
    )

    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:client_detail", args=[client.pk])
    assert client.personal_number == VALID
    assert client.birth_date == date(1984, 6, 15)
    # Serial 238: second-last digit 8 is even → woman.
    assert client.legal_gender == LegalGender.FEMALE
    assert client.unit == case_officer.unit
    assert client.children_in_home == 2
    assert list(client.target_groups.values_list("code", flat=True)) == ["missbruk"]


def test_create_writes_one_access_log_row(officer_client, case_officer):
    officer_client.post(reverse("referrals:client_create"), form_data(), REMOTE_ADDR="10.1.2.3")

    client = Client.objects.get()
    entry = AccessLogEntry.objects.get()
    assert entry.user == case_officer
    assert entry.action == AccessAction.CREATE
    assert entry.client_id == client.pk
    assert entry.client_number == VALID
    assert entry.client_label == "Greta Fiktiv"
    assert entry.object_type == "referrals.client"
    assert entry.object_id == str(client.pk)
    assert entry.path == reverse("referrals:client_create")
    assert entry.ip_address == "10.1.2.3"


def test_wrong_check_digit_is_refused_beside_the_field_and_nothing_is_saved(officer_client):
    wrong = VALID[2:8] + "-" + VALID[8:11] + str((int(VALID[11]) + 1) % 10)

    response = officer_client.post(reverse("referrals:client_create"), form_data(personal_number=wrong))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kontrollsiffran (den sista siffran) stämmer inte" in html
    assert 'aria-invalid="true"' in html
    assert "id_personal_number_error" in html
    assert Client.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_required_name_gets_a_swedish_message(officer_client):
    response = officer_client.post(reverse("referrals:client_create"), form_data(first_name=""))

    assert "Detta fält måste fyllas i." in response.content.decode()
    assert Client.objects.count() == 0


def test_duplicate_names_the_holder_when_the_user_may_see_them(officer_client, unit):
    holder = ClientFactory(unit=unit, personal_number=VALID, first_name="Första", last_name="Innehavare")

    response = officer_client.post(reverse("referrals:client_create"), form_data())

    html = response.content.decode()
    assert "Personnumret är redan registrerat på" in html
    assert "Första Innehavare" in html
    assert reverse("referrals:client_detail", args=[holder.pk]) in html
    assert Client.objects.count() == 1


def test_duplicate_does_not_name_a_holder_the_user_may_not_see(officer_client, other_unit):
    ClientFactory(unit=other_unit, personal_number=VALID, first_name="Hemlig", last_name="Annanstad")

    response = officer_client.post(reverse("referrals:client_create"), form_data())

    html = response.content.decode()
    # Nothing says the person is registered, nor where (issue 10: no
    # existence oracle); a transfer request is offered instead.
    assert "Personnumret kan inte registreras av dig." in html
    assert "registrerat" not in html and "behörighet till" not in html
    assert "Hemlig" not in html and "Annanstad" not in html and str(other_unit.municipality) not in html
    assert Client.objects.count() == 1


def test_viewing_a_client_writes_the_access_log(client, case_officer, client_record):
    client.force_login(case_officer)

    client.get(reverse("referrals:client_detail", args=[client_record.pk]), REMOTE_ADDR="10.9.8.7")

    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.client_id, entry.user, entry.ip_address) == (
        AccessAction.VIEW, client_record.pk, case_officer, "10.9.8.7"
    )


def test_refused_views_write_no_log(client, users, client_record):
    # An outsider gets the same 404 as for a client that does not exist (no
    # existence oracle); a role without client access gets 403.
    client.force_login(users["outside_officer"])
    outsider = client.get(reverse("referrals:client_detail", args=[client_record.pk]))
    client.force_login(users["system_admin"])
    administrator = client.get(reverse("referrals:client_detail", args=[client_record.pk]))

    assert (outsider.status_code, administrator.status_code) == (404, 403)
    assert client_record.full_name not in outsider.content.decode() + administrator.content.decode()
    assert AccessLogEntry.objects.count() == 0


def test_edit_keeps_field_history_and_logs_the_update(officer_client, case_officer, client_record):
    old_city = client_record.city
    edit_url = reverse("referrals:client_edit", args=[client_record.pk])
    officer_client.get(edit_url)  # opening the form is a view

    response = officer_client.post(
        edit_url,
        form_data(
            first_name=client_record.first_name,
            last_name=client_record.last_name,
            personal_number=client_record.personal_number,
            city="Täby",
            version=client_record.version,
        ),
    )

    assert response.status_code == 302
    changes = {change.field: change for change in FieldChange.objects.all()}
    assert changes["city"].old_value == old_city
    assert changes["city"].new_value == "Täby"
    assert changes["city"].user == case_officer
    assert changes["children_in_home"].old_value == "0" and changes["children_in_home"].new_value == "2"
    assert changes["target_groups"].new_value == "Missbruk"
    assert "first_name" not in changes
    actions = list(AccessLogEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AccessAction.VIEW, AccessAction.UPDATE]
    detail = officer_client.get(reverse("referrals:client_detail", args=[client_record.pk])).content.decode()
    assert "Täby" in detail and "Ändringshistorik" in detail


def test_concurrent_edit_is_detected_and_the_users_input_is_kept(officer_client, client_record):
    edit_url = reverse("referrals:client_edit", args=[client_record.pk])
    opened_version = client_record.version
    # Someone else saves first.
    officer_client.post(edit_url, form_data(
        first_name=client_record.first_name, last_name=client_record.last_name,
        personal_number=client_record.personal_number, city="Sigtuna", version=opened_version,
    ))

    response = officer_client.post(edit_url, form_data(
        first_name=client_record.first_name, last_name=client_record.last_name,
        personal_number=client_record.personal_number, city="Norrtälje", version=opened_version,
    ))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan sparade klienten medan du redigerade" in html
    assert 'value="Norrtälje"' in html, "the user's own input is still in the form"
    assert "Sigtuna" in html, "the newer saved value is shown to compare with"
    client_record.refresh_from_db()
    assert client_record.city == "Sigtuna"
    assert client_record.version == opened_version + 1

    # Saving again from the conflict page (with the new version) goes through.
    again = officer_client.post(edit_url, form_data(
        first_name=client_record.first_name, last_name=client_record.last_name,
        personal_number=client_record.personal_number, city="Norrtälje", version=client_record.version,
    ))
    assert again.status_code == 302
    client_record.refresh_from_db()
    assert client_record.city == "Norrtälje"


class TestProtectedClient:
    @pytest.fixture
    def protected(self, unit, case_officer):
        return ClientFactory(
            unit=unit,
            protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
            street_address="Hemliga gränd 7",
            postal_code="111 22",
            city="Hemligstad",
            phone="070-7777777",
        )

    def test_address_and_phone_are_absent_from_the_html_without_permission(self, client, case_officer, protected):
        client.force_login(case_officer)

        # Each page must be the client's own page saying why the fields are
        # missing: absence alone would also hold on a 404 or a login page.
        for url, notice in (
            (reverse("referrals:client_detail", args=[protected.pk]), "Adress och telefon är dolda"),
            (reverse("referrals:client_edit", args=[protected.pk]), "Adress och telefon är skyddade"),
        ):
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert protected.full_name in html and notice in html, url
            assert "Hemliga gränd" not in html
            assert "Hemligstad" not in html
            assert "070-7777777" not in html
            assert "111 22" not in html

    def test_a_banner_says_the_client_is_protected(self, client, case_officer, protected):
        client.force_login(case_officer)

        html = client.get(reverse("referrals:client_detail", args=[protected.pk])).content.decode()

        assert "Skyddade personuppgifter" in html
        assert "Skyddad folkbokföring" in html
        assert "Adress och telefon är dolda" in html

    def test_users_with_the_permission_see_the_address(self, client, case_officer, protected):
        case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
        client.force_login(case_officer)

        html = client.get(reverse("referrals:client_detail", args=[protected.pk])).content.decode()

        assert "Hemliga gränd 7" in html and "070-7777777" in html

    def test_editing_without_permission_cannot_change_or_reveal_contact_fields(self, client, case_officer, protected):
        client.force_login(case_officer)

        client.post(
            reverse("referrals:client_edit", args=[protected.pk]),
            form_data(
                first_name="Nytt", last_name=protected.last_name,
                personal_number=protected.personal_number, version=protected.version,
                protection_level=ProtectionLevel.NONE, city="Avslöjad",
            ),
        )

        protected.refresh_from_db()
        assert protected.first_name == "Nytt"
        assert protected.city == "Hemligstad", "protected fields are not in the form"
        assert protected.protection_level == ProtectionLevel.PROTECTED_REGISTRATION

    def test_history_of_protected_fields_is_hidden_without_permission(self, client, case_officer, protected):
        case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
        client.force_login(case_officer)
        client.post(
            reverse("referrals:client_edit", args=[protected.pk]),
            form_data(
                first_name=protected.first_name, last_name=protected.last_name,
                personal_number=protected.personal_number, version=protected.version,
                protection_level=ProtectionLevel.PROTECTED_REGISTRATION, street_address="Nya gömstället 1",
                postal_code="111 22", city="Hemligstad", phone="070-7777777",
            ),
        )
        assert FieldChange.objects.filter(field="street_address", is_protected=True).exists()

        case_officer.user_permissions.clear()
        client.force_login(case_officer)
        response = client.get(reverse("referrals:client_detail", args=[protected.pk]))
        html = response.content.decode()

        assert response.status_code == 200
        assert protected.full_name in html and "Ändringshistorik" in html, "the client's page with its history"
        assert "Nya gömstället" not in html and "Hemliga gränd" not in html
