"""Finding 6: production refuses weak or malformed secrets at start, with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, load_settings

TOKEN = "Wt2Mn8Bv5Cx2Zl9Kj6Hg3Fd0Sa7Po4Iu1Yt"
SECRET = "Sk9aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ"
DATA = "Dk4Qw7Er2Ty9Ui5Op1As6Df3Gh8Jk0Lz4Xc"


def production(**changes: str) -> dict[str, str]:
    env = {"LINDA_ENV": "production", "DATABASE_URL": "postgresql://x/y",
           "REDIS_URL": "redis://x", "AT_USERNAME": "linda", "AT_API_KEY": "key",
           "SECRET_KEY": SECRET, "LINDA_WEBHOOK_TOKEN": TOKEN, "LINDA_DATA_KEY": DATA}
    env.update(changes)
    return env


def test_strong_secrets_start(tmp_path: Path) -> None:
    assert load_settings(production(), tmp_path)["LINDA_WEBHOOK_TOKEN"] == TOKEN


@pytest.mark.parametrize(("name", "value"), [
    ("LINDA_WEBHOOK_TOKEN", "a"),
    ("LINDA_WEBHOOK_TOKEN", "a" * 40),  # long but not random
    ("LINDA_WEBHOOK_TOKEN", "abcd" * 10),
    ("SECRET_KEY", "s"),
    ("SECRET_KEY", "secret-key-secret-key-secret-key"),
    ("LINDA_DATA_KEY", "short"),
    ("LINDA_DATA_KEY", "x" * 40),
])
def test_weak_secrets_refuse_to_start_in_production(tmp_path: Path, name: str,
                                                      value: str) -> None:
    with pytest.raises(ConfigError, match=name) as info:
        load_settings(production(**{name: value}), tmp_path)
    assert "32" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("value", [
    "2:" + DATA + ",",  # an empty entry
    "2:" + DATA + ",two:" + DATA[::-1],  # a version that is not a number
    "2:" + DATA + ",2:" + DATA[::-1],  # the same version twice
    "2:" + DATA + ",1:short",
    "0:" + DATA,
])
def test_a_malformed_data_key_refuses_to_start_anywhere(tmp_path: Path, value: str) -> None:
    for env in ("development", "production"):
        with pytest.raises(ConfigError, match="LINDA_DATA_KEY"):
            load_settings({**production(), "LINDA_ENV": env, "LINDA_DATA_KEY": value},
                          tmp_path)


def test_a_weak_token_stops_linda_serve_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LINDA_INSTANCE_PATH": str(tmp_path / "instance"),
           "HOME": str(tmp_path), **production(LINDA_WEBHOOK_TOKEN="a"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "serve"],
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "LINDA_WEBHOOK_TOKEN" in result.stderr and "Traceback" not in result.stderr
