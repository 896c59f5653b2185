"""An order about a protected client never shows the client's address to a
user without the permission — not even the address written on the order
before it was linked to the client."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import OrderFactory


def test_address_written_before_linking_is_protected_with_the_client(client, unit, case_officer):
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
                              street_address="Gömda gatan 4")
    order = OrderFactory(unit=unit, client=protected, ordered_by=case_officer,
                         subject_name="Person vid busshållplatsen", subject_address="Gömda gatan 4")
    url = reverse("referrals:order_detail", args=[order.pk])
    client.force_login(case_officer)

    html = client.get(url).content.decode()
    assert "Gömda gatan" not in html
    assert "Person vid busshållplatsen" in html

    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(case_officer)
    assert "Gömda gatan 4" in client.get(url).content.decode()
