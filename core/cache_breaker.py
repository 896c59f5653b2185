"""A Redis connection for the cache that stops asking a Redis that failed.

The cache is django-redis with IGNORE_EXCEPTIONS and 0.5 s socket timeouts
(config.settings, CACHE_URL): a Redis that refuses costs nothing, but one
that accepts and never answers costs the whole timeout on every cache call,
and a page makes several (session, permissions, menu, charts). After one
failure this connection class refuses at once, without touching the network,
for CACHE_BREAKER_SECONDS; the callers then treat the cache as empty (a
miss) and sessions read their database rows. So a hung Redis costs one
request per web process one timeout per breaker period, not every request
every call (config/tests/test_redis_down.py measures it).

Process-local on purpose: every web process learns for itself, with no
shared state that could itself be down.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_lock = threading.Lock()
_open_until = 0.0


def is_open() -> bool:
    return time.monotonic() < _open_until


def trip() -> None:
    global _open_until
    with _lock:
        _open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS


def reset() -> None:
    global _open_until
    with _lock:
        _open_until = 0.0


class BreakerConnection(Connection):
    """redis-py's TCP connection, refusing at once while the breaker is open
    and opening it on a refused connect or a timeout."""

    def _refuse_if_open(self) -> None:
        if is_open():
            raise RedisConnectionError("cache Redis skipped after a recent failure (core.cache_breaker)")

    def connect(self):
        self._refuse_if_open()
        try:
            return super().connect()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            trip()
            raise

    def send_packed_command(self, command, check_health=True):
        self._refuse_if_open()
        try:
            return super().send_packed_command(command, check_health)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            trip()
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            trip()
            raise
