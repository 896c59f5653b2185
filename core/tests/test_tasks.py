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


@shared_task(name="core.tests.fail_with_personal_data")
def fail_with_personal_data(value):
    raise ValueError("Anna Andersson 19121212-1212")  # a message that must not reach the log


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_eager_mode_a_failing_task_does_not_undo_the_saved_action(settings, caplog):
    """make run (eager, nothing propagated): the change is committed, the
    task's failure is logged with its name and class only, and the caller
    (the request that saved the change) carries on."""
    settings.CELERY_EAGER_ERRORS_PROPAGATE = False
    with caplog.at_level("ERROR", logger="core.tasks"):
        with transaction.atomic():
            enqueue_after_commit(record_call, 1)
            enqueue_after_commit(fail_with_personal_data, 2)
            enqueue_after_commit(record_call, 3)

    assert calls == [1, 3], "the other tasks after the commit still run"
    messages = [record.getMessage() for record in caplog.records if record.name == "core.tasks"]
    assert messages == ["Task core.tests.fail_with_personal_data failed in eager mode after the commit: ValueError"]
    assert "Andersson" not in caplog.text and "1212" not in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_the_tests_a_failing_task_fails_the_caller(settings):
    settings.CELERY_EAGER_ERRORS_PROPAGATE = True
    with pytest.raises(ValueError):
        with transaction.atomic():
            enqueue_after_commit(fail_with_personal_data, 2)


def test_the_test_settings_propagate_and_the_default_does_not():
    """pytest.ini sets CELERY_EAGER_ERRORS_PROPAGATE; config/settings.py's
    default (make run) is off."""
    import re
    from pathlib import Path

    from django.conf import settings

    assert settings.CELERY_EAGER_ERRORS_PROPAGATE is True
    source = (Path(__file__).resolve().parents[2] / "config" / "settings.py").read_text()
    assert re.search(r'env\.bool\("CELERY_EAGER_ERRORS_PROPAGATE", default=False\)', source)
