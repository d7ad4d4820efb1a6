"""``/metrics`` under two web processes: either one's scrape adds up the hops both answered.

Two ``linda serve`` share one ``PROMETHEUS_MULTIPROC_DIR``, as gunicorn's workers do; the
test answers USSD hops on both and scrapes each.
"""

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
from tests.integration.ops.test_ops_metrics import sample

pytestmark = pytest.mark.slow


@pytest.fixture
def two_servers(app, database_url: str, tmp_path: Path) -> Iterator[list[str]]:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {**os.environ, **base_env(database_url, tmp_path / "instance"),
           "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "LINDA_EMBEDDED_WORKER": "false"}
    env.pop("REDIS_URL", None)
    procs, urls = [], []
    log = tmp_path / "serve.log"
    for _ in range(2):
        port = free_port()
        with log.open("ab") as out:
            procs.append(subprocess.Popen([LINDA, "serve", "--port", str(port)], env=env,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        end = time.monotonic() + 60
        while not all(_ready(u) for u in urls):
            if time.monotonic() > end:
                pytest.fail(f"servers did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def hop(url: str, n: int) -> None:
    res = requests.post(f"{url}/at/{WEBHOOK_TOKEN}/ussd", timeout=10, data={
        "sessionId": f"metrics-{n}", "serviceCode": "*149*46#",
        "phoneNumber": f"+2557540001{n:02d}", "networkCode": "63902", "text": ""})
    assert res.status_code == 200 and res.text.startswith("CON")


def test_each_process_scrapes_the_hops_of_both(two_servers) -> None:
    first, second = two_servers
    for n in range(3):
        hop(first, n)
    for n in range(3, 5):
        hop(second, n)
    for url in two_servers:
        text = requests.get(f"{url}/metrics", timeout=10).text
        assert sample(text, "linda_ussd_hops_total", kind="con") == 5
        assert sample(text, "linda_webhook_seconds_count", endpoint="ussd") == 5
        assert sample(text, "linda_reports_total", 0, source="ussd") == 0
        assert "linda_alerts_unanswered 0.0" in text
