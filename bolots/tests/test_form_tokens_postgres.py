"""A double click: the same form posted twice at the same moment, on two
connections, creates one record (accounts.submissions: the second claim of
the token waits on accounts_formsubmission_one_per_token until the first
commits, then finds where it led). And two tabs sending the same decision
at once (two tokens) still give one decision: record_decision locks the
client row before it looks for a likely duplicate.

PostgreSQL only (row locks and waiting unique inserts); the SQLite pass
tests the same rules one request after the other (test_form_tokens.py,
referrals/tests/test_decision_duplicates.py)."""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client as WebClient
from django.urls import reverse

from referrals.models import ConcernReport, Decision
from referrals.services import decisions as decision_services
from referrals.services import notices as notice_services
from referrals.tests import test_concern_register
from referrals.tests.test_decision_duplicates import form_data as decision_form_data

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="waiting unique inserts and row locks are tested on PostgreSQL"),
]


def _post_at_once(user, url, datas):
    """POST each of `datas` to `url` as `user`, all at the same moment, each
    on its own connection; the responses (or exceptions)."""
    barrier = threading.Barrier(len(datas))
    results = [None] * len(datas)

    def run(i):
        try:
            browser = WebClient()
            browser.force_login(user)
            barrier.wait(timeout=10)
            results[i] = browser.post(url, datas[i])
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(datas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    return results


def _slowly(monkeypatch, module, name):
    """Make the service take a moment, so that the second request arrives
    while the first one's transaction is open."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_creates_one_record(case_officer, monkeypatch):
    _slowly(monkeypatch, notice_services, "create_concern")
    data = {**test_concern_register.form_data(), "submit_token": "d" * 32}

    responses = _post_at_once(case_officer, reverse("referrals:concern_create"), [data, data])

    assert all(getattr(response, "status_code", None) == 302 for response in responses), responses
    assert ConcernReport.objects.count() == 1
    report = ConcernReport.objects.get()
    assert {response["Location"] for response in responses} == {
        reverse("referrals:concern_detail", args=[report.pk])
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tabs_sending_the_same_decision_at_once_save_one(case_officer, client_record, monkeypatch):
    _slowly(monkeypatch, decision_services, "likely_duplicate")
    url = reverse("referrals:decision_create", args=[client_record.pk])
    datas = [{**decision_form_data(case_officer), "submit_token": token} for token in ("a" * 32, "b" * 32)]

    responses = _post_at_once(case_officer, url, datas)

    assert sorted(getattr(response, "status_code", None) for response in responses) == [200, 302], responses
    assert Decision.objects.count() == 1
