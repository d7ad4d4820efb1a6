"""``linda responders import`` says when the confirmation SMS actually leave."""

from __future__ import annotations

from pathlib import Path

import pytest

CSV = """name,phone,role,region,council,ward,languages,on_duty
Asha Mrisho,0713 000 201,police_gcd,Dar es Salaam,Ilala,Kariakoo,sw,yes
"""


@pytest.mark.parametrize(("redis_url", "says_when"), [("", True),
                                                      ("redis://127.0.0.1:6379/8", False)])
def test_import_tells_when_the_running_server_sends_the_sms(make_app, tmp_path: Path,
                                                            redis_url: str,
                                                            says_when: bool) -> None:
    # Embedded mode: the CLI process has no worker, so the SMS wait in the database until the
    # running `linda serve` reconciles; a new user should not think they were lost.
    app = make_app(env={"REDIS_URL": redis_url, "RECONCILE_INTERVAL_SECONDS": "30"})
    path = tmp_path / "responders.csv"
    path.write_text(CSV, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["responders", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new responder(s) were sent a confirmation SMS" in result.output
    assert ("the running `linda serve` sends them within 30 s" in result.output) is says_when
