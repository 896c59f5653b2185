"""A protected tenant's name beside the apartment's address would reveal
where the person lives: apartment pages name them only to users allowed to
see protected personal data."""

from datetime import date

from django.contrib.auth.models import Permission
from django.urls import reverse

from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.tests.factories import ApartmentFactory, TenancyFactory


def test_protected_tenant_is_not_named_on_the_apartment_list_or_page(client, unit, housing_admin):
    apartment = ApartmentFactory(unit=unit, status="occupied")
    hidden = ClientFactory(unit=unit, first_name="Gömd", last_name="Hyresgästsson",
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    TenancyFactory(apartment=apartment, client=hidden, start_date=date(2024, 3, 1))
    client.force_login(housing_admin)

    for url in (reverse("tenancies:apartment_list"), reverse("tenancies:apartment_detail", args=[apartment.pk])):
        html = client.get(url).content.decode()
        assert "Hyresgästsson" not in html, url
        assert "Hyresgäst med skyddade personuppgifter" in html, url

    housing_admin.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(housing_admin)
    assert "Gömd Hyresgästsson" in client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode()
