"""The migrations build exactly the schema the models describe, and can be undone.

They run on a scratch database of the suite's own kind: a temp SQLite file on the embedded
defaults, or a database created for this module beside ``DATABASE_URL`` on PostgreSQL, so the
suite's schema (built with ``create_all``) is never touched.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import base_env
from flask import Flask

from app import create_app
from app.config import normalise_database_url
from app.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture(scope="module")
def scratch_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of an empty database of the suite's kind, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'migrations.sqlite3'}"
        return
    url = sa.make_url(normalise_database_url(database_url))
    name = f"{url.database}_migrations_{os.getpid()}"
    # CREATE/DROP DATABASE cannot run in a transaction; any database of the server will do.
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def migration_app(scratch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Return an app bound to the scratch database, with its context pushed."""
    app = create_app(env=base_env(scratch_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def alembic_config(migration_app: Flask) -> Config:
    """Return the Alembic config ``linda db`` uses, without reconfiguring pytest's logging."""
    config = migration_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))
    config.attributes["configure_logger"] = False
    return config


def schema_differences() -> list[Any]:
    """What ``linda db check`` would report: autogenerate's diff of database and models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_have_a_single_head(alembic_config: Config) -> None:
    heads = ScriptDirectory.from_config(alembic_config).get_heads()
    assert len(heads) == 1, f"migrations have {len(heads)} heads {heads}: run `linda db merge`"


def test_upgrade_builds_the_models_schema_and_round_trips(alembic_config: Config) -> None:
    assert table_names() == set(), "the scratch database should start empty"

    command.upgrade(alembic_config, "head")
    assert table_names() == set(db.metadata.tables)
    assert schema_differences() == [], "models changed without a migration: `linda db migrate`"

    command.downgrade(alembic_config, "base")
    assert table_names() == set(), "downgrade to base left tables behind"

    command.upgrade(alembic_config, "head")
    assert schema_differences() == []


def _enum_columns() -> list[tuple[str, str, set[str]]]:
    """(table, constraint name, values) for every enum column of the models."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.enum_class is not None:
                assert issubclass(column.type.enum_class, enum.Enum)
                values = {m.value for m in column.type.enum_class}
                found.append((table.name, f"ck_{table.name}_{column.type.name}", values))
    return found


def _quoted_values(check_sql: str) -> set[str]:
    return {m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", check_sql)}


def _check_clauses() -> dict[str, str]:
    """Constraint name → its CHECK clause, read from the migrated database."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.execute(sa.text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'"
            ))
            return {str(name): str(clause) for name, clause in rows.all()}
        clauses = {}
        for (sql,) in conn.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")):
            for match in re.finditer(r'CONSTRAINT\s+"?(\w+)"?\s+CHECK\s*\(', sql):
                clauses[match.group(1)] = _balanced(sql, match.end() - 1)
        return clauses


def _balanced(sql: str, start: int) -> str:
    """The parenthesised text opening at ``sql[start]``, quotes respected."""
    depth, quoted = 0, False
    for i in range(start, len(sql)):
        char = sql[i]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return sql[start:i + 1]
    raise AssertionError(f"unbalanced CHECK clause in {sql!r}")


def test_every_enum_check_constraint_lists_exactly_the_enum_values(
        alembic_config: Config) -> None:
    """Autogenerate misses a new enum value; this catches a missing hand-written migration."""
    command.upgrade(alembic_config, "head")
    clauses = _check_clauses()
    enum_columns = _enum_columns()
    assert enum_columns, "the models should have enum columns"
    for table, name, values in enum_columns:
        assert name in clauses, f"{table} has no CHECK constraint {name}"
        assert _quoted_values(clauses[name]) == values, (
            f"{name} allows {sorted(_quoted_values(clauses[name]))}, the enum has "
            f"{sorted(values)}: write a migration that drops and re-creates the constraint")


def test_check_parser_reads_quoted_values() -> None:
    pg = ("CHECK (((status)::text = ANY ((ARRAY['queued'::character varying, "
          "'it''s'::character varying, '6+'::character varying])::text[])))")
    assert _quoted_values(pg) == {"queued", "it's", "6+"}
    sqlite = "CREATE TABLE t (s VARCHAR(32), CONSTRAINT ck_t_x CHECK (s IN ('a (b)', 'c')))"
    assert _quoted_values(_balanced(sqlite, sqlite.index("CHECK (") + 6)) == {"a (b)", "c"}
