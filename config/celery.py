"""The Celery app. Work is enqueued through core.tasks.enqueue_after_commit,
which keeps it in the outbox and sends it once the transaction commits.
"""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bolots")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# core.tasks is the enqueue helper, not a tasks module; the outbox relay
# lives in core.outbox_tasks, which the default discovery would not import.
app.autodiscover_tasks(["core"], related_name="outbox_tasks")


@worker_ready.connect
def relay_outbox_on_start(sender=None, **kwargs):
    """A worker that starts (after Redis or the workers were down) sends the
    work kept meanwhile at once instead of waiting up to a minute for beat.
    Through the broker, so that the relay runs in a pool process, not in the
    worker's main process before it forks."""
    from core.outbox_tasks import relay_outbox

    relay_outbox.apply_async(expires=60)
