"""Which permission is the protected-data permission is declared by the app
that holds the protected people (AppConfig.protected_data_permission), not
named by accounts, which sits below it."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from accounts.users import services


def test_referrals_declares_the_protected_data_permission():
    from referrals import protection

    assert services.protected_permission() == "referrals.view_protected_client"
    assert protection.PROTECTED_PERMISSION == services.protected_permission()


@pytest.mark.django_db
def test_the_declared_permission_exists():
    from django.contrib.auth.models import Permission

    app_label, codename = services.protected_permission().split(".")

    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def test_a_second_declaration_is_refused(monkeypatch):
    monkeypatch.setattr(apps.get_app_config("bolots"), "protected_data_permission", "bolots.view_visit", raising=False)

    with pytest.raises(ImproperlyConfigured, match="Exactly one app"):
        services.protected_permission()


def test_no_declaration_is_refused(monkeypatch):
    monkeypatch.delattr(type(apps.get_app_config("referrals")), "protected_data_permission")

    with pytest.raises(ImproperlyConfigured, match="found none"):
        services.protected_permission()
