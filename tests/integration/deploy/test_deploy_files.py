"""The files in deploy/ work as written: gunicorn loads its config and the app, systemd and
nginx accept their files, and a backup restores into another database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REAL_DB, base_env

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def test_gunicorn_config_loads_with_the_app(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, **base_env(database_url, tmp_path / "instance"), "WEB_WORKERS": "3"}
    done = subprocess.run([str(VENV_BIN / "gunicorn"), "--check-config", "--print-config",
                           "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    settings = {k.strip(): v.strip() for k, v in (line.split(" = ", 1) for line in
                done.stdout.splitlines() if " = " in line)}
    assert settings["workers"].strip() == "3"
    assert settings["worker_class"].strip() == "sync"
    assert settings["timeout"].strip() == "30"
    assert settings["bind"].strip() == "['127.0.0.1:8000']"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed here")
@pytest.mark.parametrize("unit", ["linda-web.service", "linda-worker@.service"])
def test_systemd_units_verify(unit: str, tmp_path: Path) -> None:
    # The units name /opt/linda; point them at this checkout so the commands exist.
    text = (DEPLOY / "systemd" / unit).read_text()
    text = text.replace("/opt/linda/.venv/bin", str(VENV_BIN)).replace("/opt/linda", str(ROOT))
    text = text.replace("EnvironmentFile=/etc/linda/linda.env", f"EnvironmentFile=-{tmp_path}/env")
    name = unit.replace("@.service", "@1.service")
    (tmp_path / unit).write_text(text)
    if name != unit:
        (tmp_path / name).symlink_to(tmp_path / unit)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / name)],
                          capture_output=True, text=True, timeout=60)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and "linda" in line.lower()]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed here (CI installs it from Debian)")
def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=linda.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    site = (DEPLOY / "nginx" / "linda.conf").read_text()
    site = site.replace("/etc/ssl/linda/privkey.pem", str(key))
    site = site.replace("/etc/ssl/linda/fullchain.pem", str(cert))
    site = site.replace("listen 80;", "listen 127.0.0.1:80;").replace("listen [::]:80;", "")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include {tmp_path}/site.conf;\n}}\n")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


@pytest.mark.skipif(not (REAL_DB and REAL_DB.startswith("postgres")),
                    reason="backups are of PostgreSQL (set DATABASE_URL to a PostgreSQL db)")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_restores_into_a_scratch_database(app, tmp_path: Path) -> None:
    from app.cases.models import Case
    from app.cases.services import NewReport, create_case
    from app.cases.vocabulary import CaseCategory
    from app.extensions import db
    from app.gazetteer.models import Council

    council = db.session.scalars(sa.select(Council).order_by(Council.id).limit(1)).one()
    case = create_case(NewReport(category=CaseCategory.BEGGING, council_id=council.id))
    db.session.commit()
    assert REAL_DB is not None
    url = sa.engine.make_url(REAL_DB)
    scratch = url.set(database=f"{url.database}_restore_check")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    dump = tmp_path / "linda.dump"
    script = str(DEPLOY / "backup.sh")
    try:
        backup = subprocess.run(["sh", script, "backup", REAL_DB, str(dump)],
                                capture_output=True, text=True, timeout=300)
        assert backup.returncode == 0, backup.stderr
        restore = subprocess.run(
            ["sh", script, "restore", str(dump),
             scratch.render_as_string(hide_password=False)],
            capture_output=True, text=True, timeout=300)
        assert restore.returncode == 0, restore.stderr
        restored = sa.create_engine(scratch)
        with restored.connect() as conn:
            refs = conn.execute(sa.select(Case.__table__.c.reference)).scalars().all()
            wards = conn.execute(sa.text("SELECT count(*) FROM wards")).scalar_one()
        restored.dispose()
        assert refs == [case.reference]
        assert wards == 4296
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        admin.dispose()
