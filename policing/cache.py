"""A Redis cache that a Redis outage turns into misses, not errors (G-IN4).

The cache only holds what can be lost (throttle counters, import progress),
so when Redis is refused or hung a read is a miss and a write is dropped,
with a warning. After a failure this process leaves Redis alone for
:data:`PAUSE_SECONDS`, so a hung Redis costs one request a socket timeout
rather than every request. While Redis is away throttles count nothing:
availability of the field app is worth more than the rate limit (the login
lockout lives in the database).
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 30.0

_paused_until = 0.0


def _fail_open(fallback):
    """Return ``fallback(*args)`` instead of the result while Redis is away."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            global _paused_until
            if time.monotonic() < _paused_until:
                return fallback(*args)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                _paused_until = time.monotonic() + PAUSE_SECONDS
                logger.warning("Cache unavailable, treated as a miss: %s", error)
                return fallback(*args)

        return guarded

    return decorate


def resume() -> None:
    """Forget an earlier failure: the next operation tries Redis again."""
    global _paused_until
    _paused_until = 0.0


class FailOpenRedisCacheClient(RedisCacheClient):
    add = _fail_open(lambda *args: False)(RedisCacheClient.add)
    get = _fail_open(lambda key, default: default)(RedisCacheClient.get)
    set = _fail_open(lambda *args: None)(RedisCacheClient.set)
    touch = _fail_open(lambda *args: False)(RedisCacheClient.touch)
    delete = _fail_open(lambda *args: False)(RedisCacheClient.delete)
    get_many = _fail_open(lambda *args: {})(RedisCacheClient.get_many)
    has_key = _fail_open(lambda *args: False)(RedisCacheClient.has_key)
    set_many = _fail_open(lambda *args: None)(RedisCacheClient.set_many)
    delete_many = _fail_open(lambda *args: None)(RedisCacheClient.delete_many)
    clear = _fail_open(lambda *args: False)(RedisCacheClient.clear)
    # incr stays strict: a caller counting on it must see the failure.


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, failing open (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
