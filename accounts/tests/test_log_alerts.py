"""accounts tells managers and system administrators when the audit log's
nightly check finds a chain broken (accounts.log_alerts, connected to
audit.signals.log_chain_broken in AccountsConfig.ready)."""

import pytest
from django.core import mail

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import LogVerification
from audit.signals import log_chain_broken


def test_accounts_listens_for_a_broken_log_chain():
    assert log_chain_broken.has_listeners(LogVerification)


@pytest.mark.django_db
def test_the_signal_alerts_each_manager_and_system_administrator_once_in_the_order_they_were_created(
    users, django_capture_on_commit_callbacks
):
    both = UserFactory(username="chef_och_admin", unit=users["manager"].unit, roles=[Role.MANAGER, Role.SYSTEM_ADMIN])
    UserFactory(username="chef_slutat", unit=users["manager"].unit, roles=[Role.MANAGER], is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        log_chain_broken.send(sender=LogVerification, verification=LogVerification(pk=41, ok=False))

    alerted = list(Notification.objects.order_by("pk").values_list("user__username", flat=True))
    assert alerted == [users["manager"].username, users["system_admin"].username, both.username]
    texts = set(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 1
    (text,) = texts
    assert "#41" in text and "nattens kontroll" in text
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"{username}@example.org" for username in alerted
    )
