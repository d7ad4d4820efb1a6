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


def test_plain_decline_reasons_are_sealed_by_the_migration_and_opened_back(
        alembic_config: Config) -> None:  # noqa: F811
    from datetime import UTC, datetime

    command.downgrade(alembic_config, "base")
    command.upgrade(alembic_config, "a7c1d2e3f405-1")
    _insert_region_and_old_responder()
    command.upgrade(alembic_config, "b8d2e3f40516-1")
    created = datetime(2026, 11, 30, 8, 15, 30, 123456, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO councils (id, region_id, name, council_type) VALUES "
                             "('TZ-02-C053', 'TZ-02', 'Dar es Salaam', 'city_council')"))
        conn.execute(sa.text(
            "INSERT INTO cases (reference, status, category, urgent, children, seen_when, "
            "region_id, council_id, callback_consent, language, source, flagged_for_review, "
            "created_at, updated_at) VALUES ('1234567', 'referred', 'begging', true, 'unknown', "
            "'now', 'TZ-02', 'TZ-02-C053', false, 'sw', 'ussd', false, :t, :t)"), {"t": created})
        conn.execute(sa.text("INSERT INTO referral_waves (case_id, number, step, roles, size, "
                             "reach, deadline_at, created_at) VALUES (1, 1, 1, '[]', 1, 'ward', "
                             ":t, :t)"), {"t": created})
        conn.execute(sa.text(
            "INSERT INTO alerts (case_id, responder_id, wave_id, status, deadline_at, reason, "
            "created_at, updated_at) VALUES (1, 1, 1, 'declined', :t, :r, :t, :t)"),
            {"t": created, "r": "mtoto Neema 0712345678"})

    command.upgrade(alembic_config, "b8d2e3f40516")
    from app.referral.models import Alert

    db.session.remove()
    with db.engine.connect() as conn:
        assert "Neema" not in repr(conn.execute(sa.text("SELECT * FROM alerts")).all())
    assert db.session.scalars(sa.select(Alert)).one().reason == "mtoto Neema 0712345678"
    db.session.remove()

    command.downgrade(alembic_config, "b8d2e3f40516-1")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT reason FROM alerts")).scalar() == (
            "mtoto Neema 0712345678")
    command.downgrade(alembic_config, "base")
