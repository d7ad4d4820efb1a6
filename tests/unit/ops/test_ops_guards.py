"""The production warnings' rules, on the values Redis' INFO and the clocks give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.ops.guards import clock_warning, redis_warnings

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_redis_with_aof_and_no_eviction_is_fine() -> None:
    assert redis_warnings({"aof_enabled": 1}, {"maxmemory": 0,
                                               "maxmemory_policy": "noeviction"}) == []


def test_redis_without_aof_is_named() -> None:
    [warning] = redis_warnings({"aof_enabled": 0}, {"maxmemory_policy": "noeviction"})
    assert "appendonly yes" in warning


def test_an_eviction_policy_with_a_memory_limit_is_named() -> None:
    [warning] = redis_warnings({"aof_enabled": 1}, {"maxmemory": 10_000_000,
                                                    "maxmemory_policy": "allkeys-lru"})
    assert "allkeys-lru" in warning and "noeviction" in warning
    # Without a memory limit Redis never evicts, whatever the policy says.
    assert redis_warnings({"aof_enabled": 1}, {"maxmemory": 0,
                                               "maxmemory_policy": "allkeys-lru"}) == []


def test_clocks_a_few_seconds_apart_are_fine_more_is_named() -> None:
    assert clock_warning(NOW + timedelta(seconds=4), NOW) is None
    assert clock_warning(NOW - timedelta(seconds=5), NOW) is None
    ahead = clock_warning(NOW + timedelta(seconds=42), NOW)
    behind = clock_warning(NOW - timedelta(seconds=90), NOW)
    assert ahead is not None and "42 s ahead" in ahead
    assert behind is not None and "90 s behind" in behind
