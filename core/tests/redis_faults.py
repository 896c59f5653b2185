"""Redis that refuses, Redis that hangs, and pointing the app at either.

`refusing_redis_url`: a port nothing listens on (connect is refused).
`hung_redis_url`: a socket server that accepts every connection and never
answers a byte, like a Redis stuck behind a full disk or a dead network
path: only a socket timeout gets a client out.
`point_broker_at(url)`: the Celery app and the settings health reads use
that broker, on a queue of the test's own (a worker of another test run on
the same Redis takes none of its messages).
`redis_cache_at(url)`: the production cache (django-redis, IGNORE_EXCEPTIONS,
0.5 s timeouts as config.settings sets with CACHE_URL) and cached_db
sessions, whatever the settings of the branch say.

Test modules import the fixtures under their function names
(`refusing_redis_url_fixture`, ...); pytest knows them by `name`.
"""

from __future__ import annotations

import socket
import threading
import uuid
from contextlib import contextmanager

import pytest
from django.test import override_settings
from kombu import pools as kombu_pools
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.celery import app as celery_app
from core import cache_breaker, outbox
from core.cache_breaker import BreakerConnection

# The Redis database of these tests (TEST_REDIS_URL, conftest.redis_url).


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(name="refusing_redis_url")
def refusing_redis_url_fixture():
    return f"redis://127.0.0.1:{free_port()}/0"


class HungServer:
    """Accepts connections and keeps them open without reading or writing."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture(name="hung_redis")
def hung_redis_fixture():
    server = HungServer()
    yield server
    server.close()


@pytest.fixture(name="hung_redis_url")
def hung_redis_url_fixture(hung_redis):
    return f"redis://127.0.0.1:{hung_redis.port}/0"


def _reset_messaging():
    """Drop the connections and producers built for the previous broker.
    kombu keeps producer pools in a registry of its own, keyed by broker
    address: closing only the app's pool would leave a closed producer pool
    there for the next test with the same address ("Acquire on closed pool")."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    kombu_pools.reset()


@contextmanager
def point_broker_at(settings, url: str):
    keys = ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    saved = {key: celery_app.conf[key] for key in keys}
    queue = f"test-outbox-{uuid.uuid4().hex}"
    celery_app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue, result_backend=None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    _reset_messaging()
    outbox._broker_unreachable_until = 0.0
    try:
        yield queue
    finally:
        celery_app.conf.update(saved)
        _reset_messaging()
        outbox._broker_unreachable_until = 0.0


def redis_cache_settings(url: str) -> dict:
    return {
        "CACHES": {"default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True,
                        "CONNECTION_POOL_KWARGS": {"connection_class": BreakerConnection,
                                                   "retry": Retry(NoBackoff(), 0)}},
        }},
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
    }


@contextmanager
def redis_cache_at(url: str):
    cache_breaker.reset()
    try:
        with override_settings(**redis_cache_settings(url)):
            yield
    finally:
        cache_breaker.reset()


@contextmanager
def redis_down(settings, url: str):
    """Cache, sessions and broker all on one Redis that is down (`url`)."""
    with redis_cache_at(url), point_broker_at(settings, url) as queue:
        yield queue
