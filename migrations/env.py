"""Alembic environment for Linda, run through Flask-Migrate (``linda db …``, ``flask db …``).

The app factory binds the engine and the metadata; this file only configures Alembic:
- ``compare_type`` so that autogenerate and ``linda db check`` notice column type changes;
- ``render_as_batch`` on SQLite, which cannot ALTER most things in place;
- ``UTCDateTime`` rendered as the plain ``sa.DateTime(timezone=True)`` it stores, so migration
  files never import application code (a later refactor must not break old migrations).

Caveat: autogenerate does not notice a value added to an enum's CHECK constraint. Adding a
status needs a hand-written migration; ``tests/test_migrations.py`` compares every
``ck_<table>_<enum>`` with the Python enum and fails until it is written.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

from app.extensions import UTCDateTime

config = context.config

# Tests run migrations in-process and set this to False to keep pytest's logging intact.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine() -> Any:
    return current_app.extensions["migrate"].db.engine


def get_engine_url() -> str:
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata() -> Any:
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our own column types as the SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure_args(dialect_name: str) -> dict[str, Any]:
    """The options of every run; ``tests/test_migrations.py`` compares with the same ones."""
    args: dict[str, Any] = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("compare_type", True)
    args["render_item"] = render_item
    args["render_as_batch"] = dialect_name == "sqlite"
    return args


def run_migrations_offline() -> None:
    """Emit SQL for a DBA to review (``linda db upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True,
                      **configure_args(get_engine().dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations against the app's database."""

    # An autogenerate run that finds no change writes no empty revision file.
    def process_revision_directives(context: Any, revision: Any, directives: list[Any]) -> None:
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    connectable = get_engine()
    args = configure_args(connectable.dialect.name)
    if args.get("process_revision_directives") is None:
        args["process_revision_directives"] = process_revision_directives

    with connectable.connect() as connection:
        # SQLite rebuilds a table to alter it (batch mode): with foreign keys enforced, the
        # DROP of a table other rows point to fails. Off for the run, as SQLite advises; the
        # pragma only takes effect outside a transaction.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=get_metadata(), **args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
