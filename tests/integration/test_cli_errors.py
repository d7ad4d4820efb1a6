"""What an operator sees when the set-up is wrong: one clear line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA_KEY, WEBHOOK_TOKEN, free_port


def linda(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "LINDA_INSTANCE_PATH": str(tmp_path / "instance"),
            "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env={**base, **env}, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        check=False,
    )


def test_unsupported_database_url_is_named(tmp_path: Path) -> None:
    result = linda(tmp_path, "gazetteer", "load", DATABASE_URL="mysql://u@h/linda")
    assert result.returncode == 2
    assert "DATABASE_URL must start with postgresql:// or sqlite:///" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_says_how_to_fix(tmp_path: Path) -> None:
    url = f"postgresql://linda@127.0.0.1:{free_port()}/linda"
    result = linda(tmp_path, "gazetteer", "load", DATABASE_URL=url)
    assert result.returncode == 3
    assert "cannot use the database" in result.stderr
    assert "Check DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_without_migrations_says_to_upgrade(tmp_path: Path) -> None:
    result = linda(tmp_path, "responders", "export",
                   DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result.returncode != 0
    assert "linda db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_the_data_key(tmp_path: Path) -> None:
    result = linda(tmp_path, "serve", LINDA_ENV="production",
                   DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                   REDIS_URL="redis://127.0.0.1:6379/0", SECRET_KEY="s",
                   LINDA_WEBHOOK_TOKEN=WEBHOOK_TOKEN, AT_USERNAME="u", AT_API_KEY="k")
    assert result.returncode == 2
    assert "LINDA_DATA_KEY is not set" in result.stderr
    assert not (tmp_path / "instance" / "linda_data_key.secret").exists()


def test_development_generates_missing_secrets_once_with_a_warning(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    first = linda(tmp_path, "db", "upgrade", **env)
    assert first.returncode == 0, first.stderr
    assert "LINDA_DATA_KEY was not set" in first.stderr
    key = (tmp_path / "instance" / "linda_data_key.secret").read_text()
    again = linda(tmp_path, "db", "upgrade", **env)
    assert "was not set" not in again.stderr
    assert (tmp_path / "instance" / "linda_data_key.secret").read_text() == key


@pytest.mark.parametrize("bad", ["0", "-5", "ten"])
def test_bad_timeout_setting_is_named(tmp_path: Path, bad: str) -> None:
    result = linda(tmp_path, "gazetteer", "load", ACK_TIMEOUT_URGENT_SECONDS=bad,
                   LINDA_DATA_KEY=DATA_KEY)
    assert result.returncode == 2
    assert "ACK_TIMEOUT_URGENT_SECONDS" in result.stderr


def test_readyz_is_503_naming_redis_when_it_is_down(make_app) -> None:
    import redis

    down = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    app = make_app(REDIS_CONNECTION=down)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unreachable")
