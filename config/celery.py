"""The Celery app. Work is enqueued through core.tasks.enqueue_after_commit,
which sends a task only once the transaction commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bolots")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
