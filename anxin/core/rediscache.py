"""Django's Redis cache, with one Redis client per server kept for the process.

Django's own backend makes a new ``redis.Redis`` object for every cache operation (its
``get_client``), and building one copies the library's table of about 250 response callbacks:
some 550 Python calls, 0.1–0.2 ms, for each get or set, several times a page. The client
holds no connection of its own (it takes one from the pool for each command and gives it back)
and redis-py documents it as safe to share between threads, so one per server is kept.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClient
