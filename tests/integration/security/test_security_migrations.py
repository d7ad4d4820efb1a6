"""Data migrations of sealed values keep every existing ciphertext readable, both ways."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.extensions import db
from app.privacy import vault
from tests.test_migrations import alembic_config, migration_app, scratch_url  # noqa: F401

PHONE = "+255712000001"


def _insert_region_and_old_responder() -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (id, name, alt_names) "
                             "VALUES ('TZ-02', 'Dar es Salaam', '')"))
        hashed = vault().blind_index(PHONE, "phone")
        token = vault().encrypt(PHONE, f"responders.phone:{hashed}")  # the old binding
        conn.execute(sa.text(
            "INSERT INTO responders (name, phone_enc, phone_hash, role, region_id, languages, "
            "language, on_duty, created_at, updated_at) VALUES ('Amina', :enc, :hash, "
            "'police_gcd', 'TZ-02', 'sw', 'sw', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"enc": token, "hash": hashed})


def test_responder_numbers_are_resealed_to_their_row_and_back(
        alembic_config: Config) -> None:  # noqa: F811
    command.downgrade(alembic_config, "base")
    command.upgrade(alembic_config, "a7c1d2e3f405-1")  # the schema before the row binding
    _insert_region_and_old_responder()

    command.upgrade(alembic_config, "a7c1d2e3f405")
    from app.referral.models import Responder

    db.session.remove()
    (responder,) = db.session.scalars(sa.select(Responder)).all()
    assert responder.uid and responder.phone == PHONE
    db.session.remove()

    command.downgrade(alembic_config, "a7c1d2e3f405-1")
    with db.engine.connect() as conn:
        enc, hashed = conn.execute(sa.text("SELECT phone_enc, phone_hash FROM responders")).one()
    assert vault().decrypt(enc, f"responders.phone:{hashed}") == PHONE
    command.downgrade(alembic_config, "base")
