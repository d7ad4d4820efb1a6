from pathlib import Path

import pytest

from app.config import ConfigError, load_settings, normalise_database_url


def test_defaults_generate_secrets_once_and_use_sqlite(tmp_path: Path) -> None:
    first = load_settings({}, tmp_path)
    second = load_settings({}, tmp_path)
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert first["LINDA_WEBHOOK_TOKEN"] == second["LINDA_WEBHOOK_TOKEN"]
    assert len(first["LINDA_DATA_KEY"]) >= 32
    assert first["USSD_SERVICE_CODE"] == "*149*46#"
    assert first["ACK_TIMEOUT_URGENT_SECONDS"] == 600
    assert first["ACK_TIMEOUT_NORMAL_SECONDS"] == 3600
    assert first["RECONCILE_INTERVAL_SECONDS"] == 30
    assert first["REDIS_URL"] is None


def test_production_refuses_to_generate_a_missing_key(tmp_path: Path) -> None:
    env = {"LINDA_ENV": "production", "SECRET_KEY": "s", "LINDA_WEBHOOK_TOKEN": "t",
           "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x"}
    with pytest.raises(ConfigError, match="LINDA_DATA_KEY is not set"):
        load_settings(env, tmp_path)
    assert not list(tmp_path.iterdir())


def test_bad_number_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ACK_TIMEOUT_URGENT_SECONDS='ten'"):
        load_settings({"ACK_TIMEOUT_URGENT_SECONDS": "ten"}, tmp_path)


def test_database_url_forms() -> None:
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    with pytest.raises(ConfigError, match="must start with postgresql"):
        normalise_database_url("mysql://u@h/d")
