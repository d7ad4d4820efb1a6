"""Finding 8: every HTML page carries a strict CSP and friends; no server names itself.

Checked over real HTTP from waitress (``linda serve``) and gunicorn (production), because the
``Server`` header is written by the server, not by Flask.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from flask import Blueprint

from tests.conftest import base_env, free_port

ROOT = Path(__file__).resolve().parents[3]


def check_headers(res: requests.Response | object) -> None:
    headers = res.headers  # type: ignore[attr-defined]
    csp = headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    server = headers.get("Server", "").lower()
    assert "waitress" not in server and "gunicorn" not in server and "werkzeug" not in server
    assert "waitress" not in headers.get("Via", "").lower()


def test_every_html_response_of_any_blueprint_gets_the_headers(make_app) -> None:
    app = make_app()
    extra = Blueprint("later_feature", __name__)  # e.g. the staff dashboard, added later

    @extra.get("/staff/example")
    def example() -> str:
        return "<!doctype html><title>x</title><p>hello</p>"

    app.register_blueprint(extra)
    client = app.test_client()
    for path in ("/sandbox/", "/staff/example", "/healthz", "/no-such-page"):
        check_headers(client.get(path))


def test_waitress_as_linda_serve_runs_it(make_app) -> None:
    from waitress.server import create_server

    from app.cli import WAITRESS_IDENT

    app = make_app()
    server = create_server(app, host="127.0.0.1", port=0, threads=2, ident=WAITRESS_IDENT)
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
        page = requests.get(f"{base}/sandbox/", timeout=5)
        assert page.status_code == 200 and "Server" not in page.headers
        check_headers(page)
        bad = requests.get(f"{base}/sandbox/%", timeout=5)
        assert "waitress" not in bad.headers.get("Server", "").lower()
    finally:  # as tests.conftest.LiveServer: close from the server's own loop thread
        from waitress import wasyncore

        server.task_dispatcher.shutdown(timeout=5)
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)


@pytest.mark.timeout(90)
def test_gunicorn_with_the_shipped_config(database_url: str, _schema: None,
                                          tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, **base_env(database_url, tmp_path / "instance")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1",
         "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(150):
            try:
                res = requests.get(f"http://127.0.0.1:{port}/sandbox/", timeout=20)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + proc.stderr.read().decode()[-500:])
        assert res.status_code == 200
        check_headers(res)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stderr.close()  # type: ignore[union-attr]
