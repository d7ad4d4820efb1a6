"""``linda worker`` in production warns at start about Redis and PostgreSQL settings."""

from __future__ import annotations

import secrets
import subprocess
from datetime import timedelta

import pytest
import time_machine

from app.clock import utcnow
from app.extensions import db
from app.ops.guards import database_clock_skew_warning
from tests.conftest import DATA_KEY
from tests.servers import RedisServer, needs_redis_server
from tests.workers import LINDA


def worker_start_output(database_url: str, redis_url: str, tmp_path) -> str:
    # Production refuses weak secrets at start: these are as strong as a deployment's.
    env = {"PATH": "/usr/bin:/bin", "LINDA_ENV": "production", "DATABASE_URL": database_url,
           "REDIS_URL": redis_url, "SECRET_KEY": secrets.token_urlsafe(32),
           "LINDA_DATA_KEY": DATA_KEY, "LINDA_WEBHOOK_TOKEN": secrets.token_urlsafe(32),
           "AT_USERNAME": "sandbox",
           "AT_API_KEY": "not-a-key", "AT_API_URL": "http://127.0.0.1:9/version1",
           "LINDA_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run([LINDA, "worker", "--burst"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.mark.slow
@needs_redis_server
def test_redis_that_could_lose_jobs_is_named_at_start(app, database_url, tmp_path) -> None:
    risky = RedisServer(tmp_path / "risky", "--appendonly", "no", "--maxmemory", "20mb",
                        "--maxmemory-policy", "allkeys-lru").start()
    safe = RedisServer(tmp_path / "safe", "--appendonly", "yes",
                       "--maxmemory-policy", "noeviction").start()
    try:
        out = worker_start_output(database_url, risky.url, tmp_path)
        assert "production check: Redis keeps no append-only file" in out
        assert "maxmemory-policy allkeys-lru" in out
        out = worker_start_output(database_url, safe.url, tmp_path)
        assert "production check" not in out
    finally:
        risky.stop()
        safe.stop()


def test_a_database_clock_far_from_ours_is_named(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite is a file on this host: one clock, nothing to compare")
    assert database_clock_skew_warning(db.engine) is None
    with time_machine.travel(utcnow() + timedelta(seconds=60), tick=True):
        warning = database_clock_skew_warning(db.engine)
    assert warning is not None and "s behind this host's" in warning
