"""``gunicorn wsgi:app`` and ``linda`` read ``.env`` the same way (app.environment)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.cli import cli
from app.environment import app_from_environment
from tests.conftest import WEBHOOK_TOKEN

ROOT = Path(__file__).resolve().parents[2]
IMPORT_WSGI = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import wsgi; "
               "print(wsgi.app.config['LINDA_ENV'], wsgi.app.config['USSD_SERVICE_CODE'])")


def run(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run in ``tmp_path`` (where the .env is) with nothing of this process's settings."""
    base = {"PATH": "/usr/bin:/bin", "LINDA_INSTANCE_PATH": str(tmp_path / "instance"),
            "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, *argv], env={**base, **env}, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, check=False)


def production_env_file(tmp_path: Path) -> None:
    """A production .env that forgot LINDA_DATA_KEY."""
    (tmp_path / ".env").write_text("\n".join([
        "LINDA_ENV=production", f"DATABASE_URL=sqlite:///{tmp_path / 'x.sqlite3'}",
        "REDIS_URL=redis://127.0.0.1:6379/0", "SECRET_KEY=s",
        f"LINDA_WEBHOOK_TOKEN={WEBHOOK_TOKEN}",
        "AT_USERNAME=u", "AT_API_KEY=k", ""]))


def test_wsgi_refuses_a_production_env_file_without_a_secret_like_linda_serve(
        tmp_path: Path) -> None:
    production_env_file(tmp_path)
    served = run(tmp_path, "-c", "from app.cli import main; main()", "serve")
    assert served.returncode == 2
    assert "LINDA_DATA_KEY is not set" in served.stderr

    wsgi = run(tmp_path, "-c", IMPORT_WSGI)
    assert wsgi.returncode != 0
    assert "ConfigError: LINDA_DATA_KEY is not set" in wsgi.stderr
    assert not (tmp_path / "instance" / "linda_data_key.secret").exists()


def test_wsgi_reads_env_file_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("USSD_SERVICE_CODE=*150*99#\nLINDA_ENV=production\n")
    result = run(tmp_path, "-c", IMPORT_WSGI, LINDA_ENV="development")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["development", "*150*99#"]


def test_flask_skip_dotenv_skips_the_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("USSD_SERVICE_CODE=*150*99#\n")
    result = run(tmp_path, "-c", IMPORT_WSGI, FLASK_SKIP_DOTENV="1")
    assert result.returncode == 0, result.stderr
    assert "*150*99#" not in result.stdout


def test_linda_builds_its_app_through_the_same_function() -> None:
    assert cli.create_app is app_from_environment
    assert cli.load_dotenv is False  # Flask's own loading is off: one path only
