"""Which HTTP server ``linda serve`` runs: gunicorn in production, waitress on a laptop.

gunicorn forks worker processes, which is how a production host uses all its cores (the GIL
keeps one Python process on one); it runs on POSIX only. waitress is one process with threads:
right for a laptop, Windows and the embedded mode, where the in-process worker must live in
the same process as the web app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask

SERVERS = ("auto", "gunicorn", "waitress")


def default_workers() -> int:
    """gunicorn's own advice for sync workers: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def choose_server(requested: str, config: Mapping[str, Any]) -> str:
    """``auto`` means gunicorn in production on POSIX, waitress everywhere else."""
    if requested != "auto":
        return requested
    production = config.get("LINDA_ENV") == "production"
    return "gunicorn" if production and sys.platform != "win32" else "waitress"


def gunicorn_options(host: str, port: int, workers: int, timeout: int = 30) -> dict[str, Any]:
    """The settings ``linda serve`` gives gunicorn (``deploy/gunicorn.conf.py`` has the same)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        # A hop answers in milliseconds; one stuck for 30 s is killed and replaced rather than
        # holding a worker while AT has long given up (its USSD timeout is ~10 s).
        "timeout": timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        "proc_name": "linda-web",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }


def serve_gunicorn(app: Flask, options: Mapping[str, Any]) -> None:
    """Run ``app`` under gunicorn's arbiter until it is stopped (SIGTERM/SIGINT)."""
    from gunicorn.app.base import BaseApplication

    from app.web.gunicorn_hooks import child_exit, hide_server_name, on_starting

    hide_server_name()

    def post_fork(server: Any, worker: Any) -> None:
        reset_connections(app, close=False)

    class _Linda(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            for key, value in {**options, "post_fork": post_fork, "on_starting": on_starting,
                                "child_exit": child_exit}.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    reset_connections(app, close=True)
    _Linda().run()


def reset_connections(app: Flask, *, close: bool) -> None:
    """Forget pooled database connections before or after a fork: two processes on one
    socket mix up each other's answers. A forked child must not close the parent's."""
    from app.extensions import db

    with app.app_context():
        db.engine.dispose(close=close)
