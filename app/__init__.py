"""Linda: USSD/SMS reporting and referral against child trafficking."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import app.sqlite  # noqa: F401  (SQLite transaction semantics, registered once)
from app.config import load_settings, normalise_database_url
from app.extensions import db, migrate
from app.worker.queue import JobQueue

#: Feature packages; each may expose ``bp`` (a blueprint) and ``init_app(app)``.
FEATURES = (
    "app.web",
    "app.gazetteer",
    "app.cases",
    "app.sms",
    "app.referral",
    "app.centres",
    "app.followup",
    "app.broadcast",
    "app.ussd",
    "app.staff",
    "app.stats",
    "app.audit",
    "app.health",
    "app.sandbox",
    "app.keys",
    "app.retention",
    "app.ops",
)


def create_app(overrides: Mapping[str, Any] | None = None,
               env: Mapping[str, str] | None = None) -> Flask:
    """Build a configured app. ``overrides`` and ``env`` are for tests and scripts.

    Raises:
        ConfigError: a setting is missing or malformed.
    """
    app = Flask(__name__, instance_path=str(_instance_path()), instance_relative_config=True)
    settings = load_settings(os.environ if env is None else env, Path(app.instance_path))
    app.config.update(settings)
    if overrides:
        app.config.update(overrides)
        if "DATABASE_URL" in overrides:
            app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
                overrides["DATABASE_URL"])
    app.config.setdefault("JSON_SORT_KEYS", False)

    from app.web.redact import register_secret

    register_secret(app.config["LINDA_WEBHOOK_TOKEN"])  # never in a log line, whoever logs
    logging.getLogger("app").setLevel(logging.INFO)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    JobQueue(app)

    importlib.import_module("app.models")  # every table known to metadata and Alembic

    for name in FEATURES:
        module = importlib.import_module(name)
        bp = getattr(module, "bp", None)
        if bp is not None:
            app.register_blueprint(bp)
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app)
    return app


def _instance_path() -> Path:
    configured = os.environ.get("LINDA_INSTANCE_PATH")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "instance"
