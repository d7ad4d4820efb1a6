"""``linda serve`` under gunicorn, as production runs it: several processes, one port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_TOKEN, base_env, free_port
from tests.e2e.test_e2e_serve import LINDA, _ready

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.fixture
def gunicorn_serve(app, database_url: str,
                   tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    env = {**os.environ, **base_env(database_url, tmp_path / "instance")}
    if not env.get("REDIS_URL"):
        env["LINDA_EMBEDDED_WORKER"] = "false"  # the embedded queue lives in one process
    log = tmp_path / "serve.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([LINDA, "serve", "--server", "gunicorn", "--workers", "2",
                                 "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 30
        while not _ready(url):
            assert proc.poll() is None and time.monotonic() < end, log.read_text()[-3000:]
            time.sleep(0.2)
        yield proc, url, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_gunicorn_serves_hops_from_two_processes_and_stops_on_sigterm(gunicorn_serve) -> None:
    proc, url, log = gunicorn_serve
    end = time.monotonic() + 20
    while len(_children(proc.pid)) < 2 and time.monotonic() < end:
        time.sleep(0.1)
    assert len(_children(proc.pid)) == 2, log.read_text()[-3000:]
    form = {"sessionId": "g-1", "serviceCode": "*149*46#", "phoneNumber": "+255712345678",
            "text": ""}
    with requests.Session() as http:
        for _ in range(6):  # keep-alive: several requests, whichever process answers
            hop = http.post(f"{url}/at/{WEBHOOK_TOKEN}/ussd", data=form, timeout=10)
            assert hop.status_code == 200 and hop.text.startswith("CON Linda:")
    assert "gunicorn with 2 worker processes" in log.read_text()
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_gunicorn_refuses_the_embedded_queue(app, database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, **base_env(database_url, tmp_path / "instance")}
    env.pop("REDIS_URL", None)
    done = subprocess.run([LINDA, "serve", "--server", "gunicorn", "--port", str(free_port())],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "set REDIS_URL and run `linda worker`, or use --server waitress" in done.stderr
