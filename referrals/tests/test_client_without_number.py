"""People without a Swedish personal identity or coordination number: the
client form's choice, what is required then, where they are shown, and that
nothing that finds people by number ever matches the empty number."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from core import personnummer
from referrals.models import Client, LegalGender, ProtectionLevel, TargetGroup
from referrals.tests.factories import ClientFactory

CREATE = reverse("referrals:client_create")
LIST = reverse("referrals:client_list")
LOGIN = reverse("accounts:login")
NUMBER = personnummer.make_number(date(1984, 6, 15), 238)


def form_data(**overrides):
    data = {
        "first_name": "Amira",
        "last_name": "Fiktiv",
        "personal_number": "",
        "no_swedish_number": "on",
        "birth_date": "1985-03-14",
        "legal_gender": LegalGender.FEMALE,
        "protection_level": ProtectionLevel.NONE,
        "target_groups": [TargetGroup.objects.get(code="missbruk").pk],
        "children_in_home": "0",
        "phone": "",
        "street_address": "Påhittade vägen 3",
        "postal_code": "186 30",
        "city": "Vallentuna",
        "responsible_officer": "",
        "notes": "Fiktiv testperson.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def officer_client(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.fixture
def nameless_number(unit, case_officer):
    """A client of the unit without a Swedish number."""
    return ClientFactory(unit=unit, personal_number="", birth_date=date(1985, 3, 14), legal_gender=LegalGender.MALE,
                         first_name="Yusuf", last_name="Utannummer", responsible_officer=case_officer)


def error_beside(html, field):
    return f'id="id_{field}_error"' in html or f"id_{field}_error" in html


# Registering.

def test_a_person_without_a_number_is_registered_with_birth_date_gender_and_code(officer_client, case_officer):
    response = officer_client.post(CREATE, form_data())

    client = Client.objects.get()
    assert response.status_code == 302
    assert (client.personal_number, client.birth_date, client.legal_gender) == ("", date(1985, 3, 14),
                                                                                 LegalGender.FEMALE)
    assert client.is_coordination_number is False
    assert client.ivo_code == "19850314-T001"
    # The access log's number snapshot stays empty: there is no number.
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.client_id, entry.client_number) == (AccessAction.CREATE, client.pk, "")


def test_without_a_number_birth_date_and_gender_are_required_beside_their_fields(officer_client):
    response = officer_client.post(CREATE, form_data(birth_date="", legal_gender=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ange födelsedatum för en person utan svenskt nummer." in html
    assert "Välj juridiskt kön för en person utan svenskt nummer." in html
    assert error_beside(html, "birth_date") and error_beside(html, "legal_gender")
    assert not Client.objects.exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("birth_date", ["1899-12-31", "future", "14/3-85"])
def test_a_birth_date_out_of_range_or_unreadable_is_refused(officer_client, birth_date):
    if birth_date == "future":
        birth_date = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = officer_client.post(CREATE, form_data(birth_date=birth_date))

    assert error_beside(response.content.decode(), "birth_date")
    assert not Client.objects.exists()


def test_without_the_tick_the_number_is_required(officer_client):
    response = officer_client.post(CREATE, form_data(no_swedish_number=None))

    html = response.content.decode()
    assert "Ange personnumret, eller kryssa i att personen saknar ett." in html
    assert error_beside(html, "personal_number")
    assert not Client.objects.exists()


def test_a_number_and_the_tick_together_are_refused(officer_client):
    response = officer_client.post(CREATE, form_data(personal_number=personnummer.format_digits(NUMBER)))

    html = response.content.decode()
    assert "Lämna numret tomt när personen saknar svenskt nummer" in html
    assert error_beside(html, "personal_number")
    assert not Client.objects.exists()


def test_with_a_number_the_entered_birth_date_and_gender_are_ignored(officer_client):
    officer_client.post(CREATE, form_data(no_swedish_number=None, personal_number=personnummer.format_digits(NUMBER),
                                          birth_date="1950-01-01", legal_gender=LegalGender.MALE))

    client = Client.objects.get()
    assert (client.personal_number, client.birth_date, client.legal_gender, client.ivo_code) == (
        NUMBER, date(1984, 6, 15), LegalGender.FEMALE, "")


def test_two_people_without_a_number_may_be_registered_even_alike(officer_client):
    officer_client.post(CREATE, form_data())
    # Alike: the second is first shown as a possible match (services.
    # person_matching), then registered as someone else.
    first = Client.objects.get()
    page = officer_client.post(CREATE, form_data()).content.decode()
    assert "Möjliga träffar" in page and Client.objects.count() == 1
    officer_client.post(CREATE, form_data(match_decision="new", match_seen=f"c{first.pk}"))

    assert sorted(Client.objects.values_list("ivo_code", flat=True)) == ["19850314-T001", "19850314-T002"]


def test_one_file_per_number_still_holds(officer_client, unit):
    ClientFactory(unit=unit, personal_number=NUMBER)

    response = officer_client.post(CREATE, form_data(no_swedish_number=None,
                                                     personal_number=personnummer.format_digits(NUMBER)))

    assert "Personnumret är redan registrerat på" in response.content.decode()
    assert Client.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.bulk_create([Client(unit=unit, first_name="A", last_name="B", personal_number=NUMBER,
                                           birth_date=date(1984, 6, 15), legal_gender=LegalGender.FEMALE)])


# Editing.

def test_the_edit_form_shows_the_choice_and_a_number_added_later_is_used(officer_client, nameless_number):
    url = reverse("referrals:client_edit", args=[nameless_number.pk])
    page = officer_client.get(url).content.decode()
    assert 'name="no_swedish_number"' in page and "checked" in page.split('name="no_swedish_number"')[1][:80]
    assert 'value="1985-03-14"' in page
    code = nameless_number.ivo_code
    number = personnummer.make_number(date(1985, 3, 14), 239)

    response = officer_client.post(url, form_data(
        first_name="Yusuf", last_name="Utannummer", no_swedish_number=None, birth_date="", legal_gender="",
        personal_number=personnummer.format_digits(number), version=nameless_number.version))

    assert response.status_code == 302
    stored = Client.objects.get(pk=nameless_number.pk)
    assert (stored.personal_number, stored.legal_gender, stored.ivo_code) == (number, LegalGender.MALE, code)


def test_an_invalid_edit_changes_nothing(officer_client, nameless_number):
    url = reverse("referrals:client_edit", args=[nameless_number.pk])

    response = officer_client.post(url, form_data(first_name="Ändrad", legal_gender="", version=nameless_number.version))

    assert response.status_code == 200
    stored = Client.objects.get(pk=nameless_number.pk)
    assert (stored.first_name, stored.legal_gender, stored.version) == ("Yusuf", LegalGender.MALE,
                                                                        nameless_number.version)


# Shown, searched.

def test_list_detail_and_header_say_no_swedish_number(officer_client, nameless_number, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        listing = officer_client.get(LIST).content.decode()
    detail = officer_client.get(reverse("referrals:client_detail", args=[nameless_number.pk])).content.decode()

    assert "Saknar svenskt nummer (född 1985-03-14)" in listing
    assert "Saknar svenskt nummer (född 1985-03-14)" in detail
    assert "IVO-kod" in detail and "19850314-T010" in detail


@pytest.mark.parametrize("term", ["1985", "19850314", "0314", "0000", "-"])
def test_a_search_by_number_never_matches_the_empty_number(officer_client, nameless_number, term):
    officer_client.post(LIST, {"q": term})

    html = officer_client.get(LIST).content.decode()
    assert "Utannummer" not in html
    assert not Client.objects.search(term).filter(pk=nameless_number.pk).exists()


# Who may reach the pages of a person without a number (as any client's).

@pytest.mark.parametrize("name", ["client_detail", "client_edit"])
def test_anonymous_is_sent_to_login(client, nameless_number, name):
    response = client.get(reverse(f"referrals:{name}", args=[nameless_number.pk]))

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who, detail, edit", [
    ("case_officer", 200, 200), ("manager", 200, 403), ("housing_admin", 403, 403), ("pilot", 404, 403),
    ("outside_officer", 404, 404),
])
def test_status_per_role(client, users, nameless_number, who, detail, edit):
    client.force_login(users[who])

    assert client.get(reverse("referrals:client_detail", args=[nameless_number.pk])).status_code == detail
    assert client.get(reverse("referrals:client_edit", args=[nameless_number.pk])).status_code == edit


def test_editing_a_notice_keeps_its_client_without_a_number(officer_client, unit, case_officer, nameless_number):
    from referrals.tests.factories_notices import EvictionNoticeFactory
    from referrals.tests.test_notice_register import edit_data

    notice = EvictionNoticeFactory(unit=unit, client=nameless_number, tenant_name="", registered_by=case_officer)

    response = officer_client.post(reverse("referrals:notice_edit", args=[notice.pk]),
                                   edit_data(notice, landlord="Andra Fiktiva AB"))

    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.client_id, notice.landlord) == (nameless_number.pk, "Andra Fiktiva AB")
