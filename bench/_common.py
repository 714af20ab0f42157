"""What the benches share: the PostgreSQL admin call that makes and drops their throwaway
databases, and their own Redis database (a loopback server and a non-zero database only, since
a bench empties it before and after its run)."""

from __future__ import annotations

import sys
from urllib.parse import urlparse


def pg_admin(url: str, sql: str):
    """Run one statement outside a transaction (CREATE/DROP DATABASE); its rows, if any."""
    import psycopg

    u = urlparse(url)
    with psycopg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.path.lstrip("/") or "postgres",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


def local_redis(url: str, *, fallback: bool = True):
    """A client for ``url``, or None when ``url`` is empty or (with ``fallback``) no Redis answers
    there: the bench then runs with the database cache. Refuses any other server or database 0."""
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url)
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("host") not in ("127.0.0.1", "localhost", "::1") or not kwargs.get("db"):
        raise SystemExit("BENCH_REDIS_URL must name a non-zero database on a local server (it is emptied)")
    if not fallback:
        return client
    try:
        client.ping()
    except redis.RedisError:
        print("# no Redis at BENCH_REDIS_URL: the database cache instead", file=sys.stderr)
        return None
    return client


def cpu_reference_ms(repeat: int = 7) -> float:
    """A fixed piece of pure Python (summing 1,000 integers 5,000 times), fastest of
    ``repeat``: how fast this machine runs Python at the moment of a run. Times measured in
    the same run can be read against it; the shared 2-core machines these benchmarks run on
    vary by half from one hour to the next."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=5000, repeat=repeat)) * 1000


def python_calls(fn) -> int:
    """Python function calls made by ``fn()``: a figure of the work a request does that does
    not depend on the machine's speed or load."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        fn()
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls
