"""The nightly task announces a broken chain on audit.signals.log_chain_broken
rather than naming who should hear of it (audit sits below accounts)."""

import pytest

from audit import tasks
from audit.models import LogVerification
from audit.signals import log_chain_broken


@pytest.fixture
def sent():
    received = []

    def receiver(sender, verification, **kwargs):
        received.append((sender, verification))

    log_chain_broken.connect(receiver, dispatch_uid="test_log_chain_signal")
    yield received
    log_chain_broken.disconnect(dispatch_uid="test_log_chain_signal")


@pytest.mark.django_db
def test_a_broken_run_sends_the_signal_with_its_verification(sent, monkeypatch):
    broken = LogVerification(pk=17, ok=False, trigger="nightly")
    monkeypatch.setattr(tasks, "run_verification", lambda trigger: (broken, []))

    assert tasks.verify_log_chains() == 17

    assert sent == [(LogVerification, broken)]


@pytest.mark.django_db
def test_an_intact_run_sends_nothing(sent):
    tasks.verify_log_chains()

    assert sent == []
