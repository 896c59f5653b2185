"""The export page /hyra/export/: who may use it, the download, the list
of the unit's exports, and a month refused beside the field."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from rent.models import FinanceExport, RentSettings

pytestmark = pytest.mark.django_db

URL = reverse("rent:export_finance")


def last_month():
    return (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"month": last_month().isoformat(), "format": "sie"}).status_code == 403


@pytest.mark.parametrize("role", ["housing_admin", "manager"])
def test_admin_and_manager_download_and_see_the_list(client, users, role, unit, other_unit):
    RentSettings.objects.create(unit=unit, cost_centre="7310")
    FinanceExport.objects.create(unit=other_unit, month=date(2020, 1, 1), format="sie", sha256="x" * 64,
                                 exported_by=users["outside_officer"])
    client.force_login(users[role])
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Export till ekonomisystemet" in html and "Ingen månad har exporterats ännu." in html, \
        "another unit's export is not listed"

    response = client.post(URL, {"month": last_month().isoformat(), "format": "sie"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="hyra-{last_month():%Y-%m}.se"'
    assert response.content.startswith(b"#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n")
    listed = client.get(URL).content.decode()
    assert "SIE 4I" in listed and str(users[role]) in listed


def test_a_month_not_offered_is_refused_beside_the_field(client, housing_admin):
    client.force_login(housing_admin)
    this_month = timezone.localdate().replace(day=1)
    response = client.post(URL, {"month": this_month.isoformat(), "format": "csv"})
    assert response.status_code == 200
    assert "Välj en månad i listan" in response.content.decode()
    assert not FinanceExport.objects.exists()
