"""``linda serve`` as a person starts it: one process, embedded queue, used only over HTTP.

Nothing runs in the test's thread: the operator imports responders with the ``linda`` command,
the server's in-process worker and reconciler send every SMS through the real SDK to its own
sandbox, and the test reads the virtual phones from the sandbox page's JSON API, as the page
does. Runs on SQLite and on PostgreSQL; the queue is always the embedded one (no REDIS_URL).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import base_env, free_port
from tests.e2e.e2e_helpers import (
    ASHA,
    JUMA,
    REPORTER,
    RESPONDER_PHONES,
    RESPONDERS_CSV,
    Product,
    phone_forms,
)

pytestmark = pytest.mark.slow
LINDA = str(Path(sys.executable).with_name("linda"))


class Served:
    """A ``linda serve`` process and the environment its commands share."""

    def __init__(self, env: dict[str, str], url: str, log: Path) -> None:
        self.env, self.url, self.log = env, url, log

    def phones(self) -> dict[str, list[dict[str, Any]]]:
        """Each virtual phone's messages to it, oldest first, as the sandbox page shows them."""
        res = requests.get(f"{self.url}/sandbox/api/phones", timeout=10)
        res.raise_for_status()
        return {p["number"]: [m for m in reversed(p["messages"]) if m["direction"] == "to_phone"]
                for p in res.json()["phones"]}

    def texts(self, phone: str) -> list[str]:
        return [m["text"] for m in self.phones().get(phone, [])]

    def wait(self, check: Callable[[], bool], what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if check():
                return
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}; server log:\n{self.log.read_text()[-3000:]}")


@pytest.fixture
def served(app, database_url: str, tmp_path: Path) -> Iterator[Served]:
    """``linda serve`` on a free port, sharing the suite's database; stopped after the test."""
    port = free_port()
    env = {**os.environ, **base_env(database_url, tmp_path / "instance",
                                    RECONCILE_INTERVAL_SECONDS="1")}
    env.pop("REDIS_URL", None)  # the embedded queue, as on a fresh laptop
    log = tmp_path / "serve.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([LINDA, "serve", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Served(env, f"http://127.0.0.1:{port}", log)
    try:
        server.wait(lambda: _ready(server.url), "the server to answer /readyz")
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_linda_serve_takes_a_report_to_an_accepted_case(app, served, tmp_path) -> None:
    linda = Product(app, served.url)  # HTTP only: its jobs run inside `linda serve`
    csv = tmp_path / "responders.csv"
    csv.write_text(RESPONDERS_CSV, encoding="utf-8")
    imported = subprocess.run([LINDA, "responders", "import", str(csv)], env=served.env,
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert "5 added" in imported.stdout

    # The CLI has no worker of its own: the server's reconciler finds the SMS in the database.
    served.wait(lambda: all(any("Jibu ANZA" in t for t in served.texts(p))
                            for p in RESPONDER_PHONES), "the confirmation SMS")
    for phone in (ASHA, JUMA):
        linda.reply_from_phone(phone, "ANZA")
    served.wait(lambda: all("imethibitishwa" in served.texts(p)[-1] for p in (ASHA, JUMA)),
                "the confirmations")

    reference = linda.report(consent=False)
    served.wait(lambda: all(served.texts(p)[-1].startswith(f"Linda kesi {reference}:")
                            for p in (ASHA, JUMA)), "the alerts")
    linda.reply_from_phone(JUMA, f"KUBALI {reference}")
    served.wait(lambda: served.texts(ASHA)[-1].startswith(f"Kesi {reference} imechukuliwa")
                and served.texts(JUMA)[-1].startswith("Wewe ndiye kiongozi"), "the accept")
    assert linda.check_status(REPORTER, reference).startswith(
        f"END Afisa amepokea taarifa {reference}")

    # The page shows every message delivered, its report taken by Linda.
    def all_reported() -> bool:
        states = [m["state"] for msgs in served.phones().values() for m in msgs]
        return bool(states) and all(s == "delivered; report → Linda HTTP 200: recorded"
                                    for s in states)
    served.wait(all_reported, "every delivery report")
    assert REPORTER not in served.phones()  # no consent: the reporter got nothing
    written = served.log.read_text() + imported.stdout + imported.stderr
    assert not re.search(r"\b(ERROR|Traceback)\b", written), written[-3000:]
    leaks = [form for phone in (REPORTER, *RESPONDER_PHONES) for form in phone_forms(phone)
             if form in written]
    assert leaks == [], written[-3000:]
