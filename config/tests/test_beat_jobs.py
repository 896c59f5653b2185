"""Every job of the beat schedule is idempotent (issue 16 §4): run twice on
the walk world, the second run changes nothing the first did not. Beat can
send a job twice (a restarted beat, an operator running it by hand after
an alert), so a second run must never make a second notice, payment
signal, review sample or e-mail."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail

from config.celery import app as celery_app
from core.models import ScheduledJobRun

# Rows that record that a job ran (not what it did) differ by design: each
# verification of the log chains is itself kept as evidence, and moves the
# head of that evidence table's chain.
RUN_RECORDS = {"core.ScheduledJobRun", "audit.LogVerification", "audit.LogChainHead"}


def _state():
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in RUN_RECORDS or not model._meta.managed:
            continue
        state[label] = list(model._base_manager.order_by("pk").values_list())
    state["mail"] = [(message.subject, message.to) for message in mail.outbox]
    return state


def _diff(before, after):
    return sorted(label for label in after if before.get(label) != after[label])


@pytest.mark.django_db
@pytest.mark.parametrize("entry_name", list(settings.CELERY_BEAT_SCHEDULE))
def test_each_job_run_twice_leaves_the_state_of_one_run(world, entry_name):
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[settings.CELERY_BEAT_SCHEDULE[entry_name]["task"]]

    task.apply(throw=True)
    once = _state()
    task.apply(throw=True)
    twice = _state()

    assert _diff(once, twice) == []
    run = ScheduledJobRun.objects.get(name=entry_name)
    assert run.last_succeeded_at is not None and run.last_started_at <= run.last_succeeded_at
