"""Shared fixtures: one schema per run, empty tables per test, real or embedded services.

With ``DATABASE_URL``/``REDIS_URL`` set (CI does both), the suite runs against that
PostgreSQL and Redis; unset, it runs on a SQLite file and fakeredis, like a fresh laptop.
Tables are emptied after each test rather than rolled back, so that a worker or server in
another thread or process sees committed rows exactly as in production. The gazetteer is
loaded once and kept.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db

KEEP_TABLES = {"regions", "councils", "wards", "gazetteer_versions", "alembic_version"}
WEBHOOK_TOKEN = "test-token-0123456789abcdef"
DATA_KEY = "test-data-key-0123456789abcdef0123456789"

REAL_DB = os.environ.get("DATABASE_URL")
REAL_REDIS = os.environ.get("REDIS_URL")


def pytest_report_header(config: pytest.Config) -> str:
    db_kind = "PostgreSQL " + REAL_DB.rsplit("@", 1)[-1] if REAL_DB else "SQLite (embedded)"
    queue = f"Redis {REAL_REDIS.rsplit('@', 1)[-1]}" if REAL_REDIS else "fakeredis (embedded)"
    return f"linda services: {db_kind}; {queue}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if REAL_DB:
        return REAL_DB
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'linda-test.sqlite3'}"


def base_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment a test app (or a worker subprocess) is built from."""
    env = {
        "LINDA_ENV": "testing",
        "DATABASE_URL": database_url,
        "LINDA_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "LINDA_DATA_KEY": DATA_KEY,
        "SECRET_KEY": "test-secret-key",
        "LINDA_INSTANCE_PATH": str(instance),
    }
    if REAL_REDIS:
        env["REDIS_URL"] = REAL_REDIS
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Build the schema once from the models and load the real gazetteer."""
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(env=base_env(database_url, instance))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        try:
            from app.gazetteer.loader import load_gazetteer
        except ImportError:  # pragma: no cover - before the gazetteer feature exists
            pass
        else:
            load_gazetteer()
            db.session.commit()
        db.engine.dispose()
    yield


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def redis_conn() -> Iterator[Any]:
    """Real Redis (flushed) when REDIS_URL is set, else a private fakeredis."""
    if REAL_REDIS:
        conn = redis.Redis.from_url(REAL_REDIS, socket_timeout=5)
        conn.flushdb()
        yield conn
        conn.flushdb()
        conn.close()
    else:
        yield fakeredis.FakeRedis(server=fakeredis.FakeServer())


@pytest.fixture
def make_app(database_url: str, _schema: None, redis_conn: Any,
             tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Return a factory of test apps; tables are emptied after the test."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        env = base_env(database_url, tmp_path / "instance")
        env.update({k: str(v) for k, v in overrides.pop("env", {}).items()})
        app = create_app({"TESTING": True, "REDIS_CONNECTION": redis_conn, **overrides}, env=env)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """A test app with an application context pushed."""
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def run_jobs(app: Flask) -> Callable[[], int]:
    """Run every queued and due scheduled job, following chains; returns how many ran."""
    from app.worker.runner import drain

    def run() -> int:
        db.session.commit()
        return drain(app)

    return run


@pytest.fixture
def reconcile(app: Flask) -> Callable[[], dict[str, int]]:
    from app.worker.reconcile import reconcile as run

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The app served over real HTTP in a thread, for the SDK and the browser to talk to."""

    def __init__(self, app: Flask) -> None:
        from waitress.server import create_server

        # Bound to port 0 by the server itself: no window in which another process could
        # take a port we picked but had not bound yet.
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.port = int(self.server.effective_port)  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Let requests in flight finish, then close every socket from the server's own loop
        # thread: closing them from this thread races its select() and fails it with EBADF.
        from waitress import wasyncore

        self.server.task_dispatcher.shutdown(timeout=5)
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, LiveServer]]:
    """An app served on a free port, its SMS going to its own sandbox over HTTP."""
    app = make_app()
    server = LiveServer(app)
    # Read when the first SMS goes out, so setting it after binding is in time.
    app.config["AT_API_URL"] = f"{server.url}/sandbox/version1"
    app.config["SANDBOX_BASE_URL"] = server.url  # the sandbox's callbacks come back here
    with server, app.app_context():
        yield app, server
