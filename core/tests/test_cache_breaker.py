"""The cache stops asking a Redis that hangs (core.cache_breaker): one
timeout, then misses at once for CACHE_BREAKER_SECONDS, then Redis is asked
again and used when it answers. With the production cache options
(core.tests.redis_faults.redis_cache_at)."""

import time

import pytest
from django.core.cache import cache

from core import cache_breaker
from core.tests.redis_faults import (  # noqa: F401
    hung_redis_fixture,
    hung_redis_url_fixture,
    redis_cache_at,
    refusing_redis_url_fixture,
)

# A hang guard, not a performance figure: without the breaker twenty calls
# to a hung Redis wait 20 × 0.5 s.
TWENTY_CALLS_AT_MOST = 2.0


def _twenty_gets() -> float:
    started = time.monotonic()
    for number in range(20):
        assert cache.get(f"key-{number}") is None  # a miss, never an error
    return time.monotonic() - started


@pytest.mark.parametrize("fault", ["hung_redis_url", "refusing_redis_url"])
def test_after_one_failure_the_cache_misses_at_once(request, settings, fault):
    settings.CACHE_BREAKER_SECONDS = 30
    with redis_cache_at(request.getfixturevalue(fault)):
        seconds = _twenty_gets()
        assert cache_breaker.is_open()
        assert cache.set("key", "value") is not True  # not stored, no error
    assert seconds < TWENTY_CALLS_AT_MOST


@pytest.mark.redis
def test_redis_is_asked_again_after_the_breaker_period(settings, redis_url):
    settings.CACHE_BREAKER_SECONDS = 0.3
    with redis_cache_at(redis_url):
        cache_breaker.trip()
        assert cache.set("breaker-test", "kept") is not True  # skipped: the breaker is open
        assert cache.get("breaker-test") is None
        time.sleep(0.4)
        cache.set("breaker-test", "kept", 30)
        assert cache.get("breaker-test") == "kept"
        cache.delete("breaker-test")
