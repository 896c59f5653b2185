"""The import page: who may use it, upload → preview → confirm → result,
the waiting file, errors shown without a stack trace, the template download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessLogEntry
from referrals.models import Client
from tenancies import importer
from tenancies.models import Apartment, Tenancy
from tenancies.views.imports import PENDING_KEY, RESULT_KEY

from .factories import IMPORT_DATA, import_rows, register_xlsx

LOGIN = reverse("accounts:login")
PAGE = reverse("tenancies:import_register")
TEMPLATE = reverse("tenancies:import_template")
RESULT = reverse("tenancies:import_result")
URLS = {"import_register": PAGE, "import_template": TEMPLATE, "import_result": RESULT}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pending_files(media):
    return list((media / "imports").glob("*")) if (media / "imports").exists() else []


def upload(client, data, name="register.csv"):
    return client.post(PAGE, {"action": "preview", "file": SimpleUploadedFile(name, data)})


def good():
    return (IMPORT_DATA / "register_good.csv").read_bytes()


# --- Who may ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(URLS[name])

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", ["case_officer", "pilot", "manager", "system_admin", "outside_officer"])
@pytest.mark.parametrize("name", sorted(URLS))
def test_other_roles_are_refused(client, users, who, name):
    client.force_login(users[who])

    assert client.get(URLS[name]).status_code == 403
    assert client.post(URLS[name], {"action": "preview"}).status_code == 403


@pytest.mark.parametrize("name", sorted(URLS))
def test_the_housing_administrator_may(client, users, name):
    client.force_login(users["housing_admin"])
    session = client.session
    session[RESULT_KEY] = {key: {"create": 0, "update": 0, "unchanged": 0}
                           for key in ("apartments", "clients", "tenancies")}
    session.save()

    assert client.get(URLS[name]).status_code == 200


def test_a_housing_administrator_without_unit_is_refused(client, housing_admin):
    housing_admin.unit = None
    housing_admin.save()
    client.force_login(housing_admin)

    assert client.get(PAGE).status_code == 403


def test_the_menu_shows_the_import_to_housing_administrators_only(client, users):
    client.force_login(users["housing_admin"])
    assert "Importera register" in client.get(PAGE).content.decode()

    client.force_login(users["case_officer"])
    assert "Importera register" not in client.get(reverse("home") + "?oversikt=1").content.decode()


# --- Upload, preview, confirm -----------------------------------------------------------


def test_upload_preview_confirm_and_result(client, housing_admin, _media):
    client.force_login(housing_admin)

    page = client.get(PAGE).content.decode()
    assert "Förhandsgranska" in page and "Hyresgästens hyra (kr)" in page, "the column help is on the page"

    preview = upload(client, good())

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Förhandsgranskning: detta kommer importen att göra" in html
    assert "Bekräfta importen" in html
    assert Apartment.objects.count() == Client.objects.count() == Tenancy.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0, "the preview writes nothing"
    assert len(pending_files(_media)) == 1
    assert oct(pending_files(_media)[0].stat().st_mode & 0o777) == "0o600"
    pending = client.session[PENDING_KEY]
    assert set(pending) == {"token", "unit"}, "the session holds a token, not the file"

    confirmed = client.post(PAGE, {"action": "confirm"})

    assert confirmed.status_code == 302 and confirmed["Location"] == RESULT
    assert (Apartment.objects.count(), Client.objects.count(), Tenancy.objects.count()) == (5, 5, 6)
    assert pending_files(_media) == [], "the waiting file is gone"
    assert PENDING_KEY not in client.session
    result = client.get(RESULT).content.decode()
    assert "Registret har importerats" in result
    assert AccessLogEntry.objects.filter(object_type=importer.OBJECT_TYPE, path=PAGE).count() == 1


def test_confirming_twice_imports_once(client, housing_admin):
    client.force_login(housing_admin)
    upload(client, good())
    client.post(PAGE, {"action": "confirm"})

    again = client.post(PAGE, {"action": "confirm"}, follow=True)

    assert "Det finns ingen förhandsgranskad fil att importera" in again.content.decode()
    assert AccessLogEntry.objects.filter(object_type=importer.OBJECT_TYPE).count() == 1


def test_the_counts_of_a_repeated_file_are_all_unchanged(client, housing_admin):
    client.force_login(housing_admin)
    upload(client, good())
    client.post(PAGE, {"action": "confirm"})

    html = upload(client, register_xlsx(import_rows("register_good.csv")), name="register.xlsx").content.decode()

    assert "Förhandsgranskning" in html
    # Apartments 5, clients 5, tenancies 6: all unchanged, none new.
    assert html.count('data-label="Nya">0<') == 3
    assert 'data-label="Oförändrade">6<' in html and html.count('data-label="Oförändrade">5<') == 2


def test_cancelling_removes_the_waiting_file(client, housing_admin, _media):
    client.force_login(housing_admin)
    upload(client, good())

    response = client.post(PAGE, {"action": "cancel"}, follow=True)

    assert "Importen avbröts" in response.content.decode()
    assert pending_files(_media) == []
    assert Apartment.objects.count() == 0


def test_leaving_the_preview_removes_the_waiting_file(client, housing_admin, _media):
    client.force_login(housing_admin)
    upload(client, good())
    assert len(pending_files(_media)) == 1

    client.get(PAGE)

    assert pending_files(_media) == []
    assert client.post(PAGE, {"action": "confirm"}).status_code == 302
    assert Apartment.objects.count() == 0


def test_a_token_from_another_unit_or_forged_is_not_used(client, housing_admin, other_unit, _media):
    client.force_login(housing_admin)
    upload(client, good())
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "unit": other_unit.pk}
    session.save()

    client.post(PAGE, {"action": "confirm"})

    assert Apartment.objects.count() == 0
    assert pending_files(_media) == []
    session = client.session
    session[PENDING_KEY] = {"token": "../../etc/passwd", "unit": housing_admin.unit_id}
    session.save()
    assert client.post(PAGE, {"action": "confirm"}).status_code == 302


def test_a_bad_file_shows_every_error_in_a_table_and_keeps_nothing(client, housing_admin, _media):
    client.force_login(housing_admin)

    response = upload(client, (IMPORT_DATA / "register_bad.csv").read_bytes())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Filen innehåller fel" in html
    assert "Inget importerades. Rätta raderna nedan och ladda upp filen igen (13 fel)." in html
    assert '<td data-label="Rad">13</td>' in html
    assert '<td data-label="Kolumn">Lägenhetstyp</td>' in html
    assert "Okänt värde ”Träningslgh”" in html
    assert "Bekräfta importen" not in html
    assert pending_files(_media) == []
    assert Apartment.objects.count() == 0


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04 not really a workbook", "Filen kunde inte läsas som Excelfil"),
    (bytes(range(256)) * 4, "varken en Excelfil"),
    (b"", "Den skickade filen är tom."),
])
def test_a_file_that_is_no_spreadsheet_gets_a_swedish_message(client, housing_admin, data, message):
    client.force_login(housing_admin)

    response = upload(client, data, name="bild.png")

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Traceback" not in html and "Error" not in html


def test_a_file_that_is_too_large_is_refused(client, housing_admin, settings):
    client.force_login(housing_admin)

    response = upload(client, b"x" * (importer.MAX_FILE_BYTES + 1))

    assert "Filen är större än 5 MB." in response.content.decode()


# --- The template -------------------------------------------------------------------------


def test_the_template_downloads_and_imports_through_the_page(client, housing_admin):
    client.force_login(housing_admin)

    response = client.get(TEMPLATE)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="{importer.TEMPLATE_FILENAME}"'
    preview = upload(client, response.content, name=importer.TEMPLATE_FILENAME)
    assert "Bekräfta importen" in preview.content.decode()
    client.post(PAGE, {"action": "confirm"})
    assert (Apartment.objects.count(), Client.objects.count(), Tenancy.objects.count()) == (1, 2, 2)
