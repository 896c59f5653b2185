"""core.tasks.enqueue_after_commit: a task leaves only once the transaction commits."""

import pytest
from celery import shared_task
from django.db import transaction

from core.tasks import enqueue_after_commit

calls = []


# shared_task binds to the project's app (config/__init__.py loads it),
# which runs tasks eagerly without a broker.
@shared_task(name="core.tests.record_call")
def record_call(value):
    calls.append(value)


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_is_sent_only_after_the_transaction_commits():
    with transaction.atomic():
        enqueue_after_commit(record_call, 7)
        assert calls == [], "must not run inside the transaction"

    assert calls == [7]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_is_never_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_after_commit(record_call, 8)
            raise RuntimeError("roll back")

    assert calls == []
