"""Health for the load balancer, status for monitoring (issue 16 §2).

- /healthz: liveness and readiness. 200 while this process can serve pages,
  which needs the database only: Redis down degrades the cache and sessions
  to the database and keeps background work in the outbox, so it must not
  take the site out of the load balancer.
- /healthz/status: every component by name (database, cache, broker, the
  outbox backlog, the workers' heartbeat), 503 when any is broken, for
  monitoring. Open like /healthz (monitors poll without a login): it shows
  status words, counts and ages only, never personal data, host names or
  connection strings. Each check has a short timeout, so a hung Redis makes
  it slow by seconds, not by minutes.
- /drift/status/ (config.operations) shows the same to system administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from core import outbox

BROKER_TIMEOUT_SECONDS = 1

OK, ERROR, EAGER, LOCAL = "ok", "error", "eager", "local"
# Statuses that need no one's attention: no broker in `make run` (eager),
# the local-memory cache of a single-process installation (local).
HEALTHY = {OK, EAGER, LOCAL}


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not healthy"; the reason is logged by Django
        return ERROR
    return OK


def cache_status() -> str:
    """Redis as the cache. django-redis swallows its errors (IGNORE_EXCEPTIONS),
    so the check talks to its client directly, with the cache's timeouts."""
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis."):
        return LOCAL
    try:
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
    except Exception:
        return ERROR
    return OK


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker configured: tasks run in-process (make run).
        return EAGER
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS,
                               "socket_connect_timeout": BROKER_TIMEOUT_SECONDS},
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            # Connecting is not answering: a hung Redis accepts and then
            # never replies. A PING needs a reply.
            conn.default_channel.client.ping()
    except Exception:
        return ERROR
    return OK


@dataclass(frozen=True)
class Status:
    components: dict[str, str]
    outbox_pending: int | None
    outbox_oldest_age_seconds: int | None
    worker_heartbeat_age_seconds: int | None

    @property
    def failing(self) -> list[str]:
        return [name for name, value in self.components.items() if value not in HEALTHY]

    @property
    def healthy(self) -> bool:
        return not self.failing

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.healthy else "degraded",
            "failing": self.failing,
            **self.components,
            "outbox_pending": self.outbox_pending,
            "outbox_oldest_age_seconds": self.outbox_oldest_age_seconds,
            "worker_heartbeat_age_seconds": self.worker_heartbeat_age_seconds,
        }


def collect_status() -> Status:
    """Check every component; never raises."""
    now = timezone.now()
    alert_after = timedelta(minutes=settings.OUTBOX_BACKLOG_ALERT_MINUTES).total_seconds()
    database = database_status()
    pending = oldest_age = None
    outbox_state = ERROR
    if database == OK:
        try:
            waiting = outbox.backlog()
        except Exception:
            pass
        else:
            pending, oldest_age = waiting.pending, waiting.oldest_age_seconds(now)
            # A backlog is normal for a minute (the relay's interval); an old
            # one means the broker or the relay has been down for a while.
            outbox_state = ERROR if oldest_age is not None and oldest_age > alert_after else OK
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    heartbeat_age = None
    if eager:
        worker = EAGER
    else:
        try:
            heartbeat = outbox.last_heartbeat()
        except Exception:
            heartbeat = None
        if heartbeat is not None:
            heartbeat_age = max(0, int((now - heartbeat).total_seconds()))
        # The relay runs every minute on a worker, sent by beat: no recent
        # run means no worker, no beat, or no broker between them.
        worker = OK if heartbeat_age is not None and heartbeat_age <= alert_after else ERROR
    return Status(
        components={"database": database, "cache": cache_status(), "broker": broker_status(),
                    "outbox": outbox_state, "worker": worker},
        outbox_pending=pending,
        outbox_oldest_age_seconds=oldest_age,
        worker_heartbeat_age_seconds=heartbeat_age,
    )


@never_cache
@require_GET
def healthz(request):
    """For the load balancer: can this process serve pages?"""
    database = database_status()
    return JsonResponse({"status": database, "database": database}, status=200 if database == OK else 503)


@never_cache
@require_GET
def healthz_status(request):
    """For monitoring: which component is broken?"""
    status = collect_status()
    return JsonResponse(status.as_json(), status=200 if status.healthy else 503)
