"""anxin.core.rediscache: Django's Redis cache with one client kept per server (the tests' own
cache is in memory; this one talks to the machine's Redis, database 15)."""

from __future__ import annotations

import threading

import pytest
import redis

from anxin.core.rediscache import RedisCache

URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    c = RedisCache(URL, {"KEY_PREFIX": "anxin-test-rediscache"})
    yield c
    c.clear()


def test_one_client_serves_every_operation(cache):
    cache.set("a", {"n": 1}, 30)
    assert cache.get("a") == {"n": 1}
    assert cache.add("a", 2) is False
    assert cache.add("b", 1) is True
    assert cache.incr("b") == 2
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache.get_many(["a", "b"]) == {"a": {"n": 1}, "b": 2}
    cache.delete("a")
    assert cache.get("a") is None


def test_threads_share_the_client_safely(cache):
    errors = []

    def work(i):
        try:
            for j in range(50):
                cache.set(f"k{i}:{j}", j, 30)
                assert cache.get(f"k{i}:{j}") == j
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
