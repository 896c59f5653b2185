"""Write-offs: the manager only, never above what is open, always logged."""

from datetime import date

import pytest
from django.urls import reverse

from audit.labels import note_label
from audit.models import AccessAction, AccessLogEntry
from rent.models import WriteOff
from tenancies.tests.factories import TenancyFactory

from .ledger_factories import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def rent(unit):
    return notice(TenancyFactory(apartment__unit=unit), 450_000, issued_on=date(2026, 1, 20))


def _post(client, user, rent, **data):
    client.force_login(user)
    return client.post(reverse("rent:write_off", args=[rent.pk]),
                       {"amount": "1000", "on": "2026-03-01", "reason": "Preskriberad", **data})


def test_the_housing_admin_is_refused(client, housing_admin, rent):
    assert _post(client, housing_admin, rent).status_code == 403
    client.force_login(housing_admin)
    assert client.get(reverse("rent:write_off", args=[rent.pk])).status_code == 403
    assert not WriteOff.objects.exists()


def test_the_manager_writes_off_and_it_is_logged(client, manager, rent):
    client.force_login(manager)
    assert client.get(reverse("rent:write_off", args=[rent.pk])).status_code == 200
    response = _post(client, manager, rent)
    assert response.status_code == 302
    record = WriteOff.objects.get()
    assert (record.amount, record.created_by, record.booked_month) == (100_000, manager, date(2026, 3, 1))
    entry = AccessLogEntry.objects.get(user=manager, action=AccessAction.CREATE, note="write_off")
    assert entry.client_id == rent.tenancy.client_id
    assert entry.object_id == str(record.pk)


def test_never_above_what_is_open(client, manager, rent):
    response = _post(client, manager, rent, amount="4500,01")
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert not WriteOff.objects.exists()
    _post(client, manager, rent, amount="4500")
    response = _post(client, manager, rent, amount="1")
    assert "amount" in response.context["form"].errors
    assert WriteOff.objects.count() == 1


def test_an_outside_manager_gets_404(client, other_unit, rent):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    outsider = UserFactory(unit=other_unit, roles=[Role.MANAGER])
    assert _post(client, outsider, rent).status_code == 404


def test_the_note_has_a_swedish_label():
    from django.utils import translation

    with translation.override("sv"):
        assert str(note_label("write_off")) == "Hyresskuld avskriven"
