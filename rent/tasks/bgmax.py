"""Importing an uploaded BgMax file in the worker (services.bgmax_import.run_import_job)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from rent.services.bgmax_import import fail_job, run_import_job

logger = logging.getLogger(__name__)

# Marked for makemessages; translated when stored (fail_job runs in the
# worker, whose language is settings.LANGUAGE_CODE).
FAILED_MESSAGE = gettext_noop("The import failed and nothing was imported. Upload the file again; if it fails "
                              "again, contact the system administrator.")
TRANSIENT_MESSAGE = gettext_noop("The database did not answer during the import and nothing was imported. "
                                 "Upload the file again in a while.")


def _message(text: str) -> str:
    # The worker has no request: store the message in the users' language.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


# 30 000 payments take well under the soft limit (docs/performance.md); the
# limits stop a runaway import, whose transaction is then rolled back.
# acks_late: a worker killed mid-import leaves the message unacknowledged,
# so another worker imports the file (once: run_import_job).
@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def import_bgmax_job(job_id: int) -> str | None:
    try:
        return run_import_job(job_id)
    except (OperationalError, InterfaceError):
        logger.exception("BgMax import job %s: the database did not answer.", job_id)
        fail_job(job_id, [(None, _message(TRANSIENT_MESSAGE))])
    except Exception:
        logger.exception("BgMax import job %s failed.", job_id)
        fail_job(job_id, [(None, _message(FAILED_MESSAGE))])
    return "failed"
