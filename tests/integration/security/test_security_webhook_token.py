"""Finding 2: the webhook token (the only thing that authenticates a responder's SMS) leaks
neither through the start-up banner in production, nor through logs, nor to another host."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.staff.models import AuditEntry
from tests.conftest import WEBHOOK_TOKEN

PROD_TOKEN = "Zq8vK2mW9xR4tY7uB3nP6sD1fG5hJ0kLa"  # 33 random-looking characters


def production_env() -> dict[str, str]:
    return {"LINDA_ENV": "production", "REDIS_URL": "redis://127.0.0.1:1/0",
            "AT_USERNAME": "linda", "AT_API_KEY": "k" * 40,
            "SECRET_KEY": "Sk9aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ", "LINDA_WEBHOOK_TOKEN": PROD_TOKEN,
            "LINDA_DATA_KEY": "Dk4" + "Qw7Er2Ty9Ui5Op1As6Df3Gh8Jk0Lz4Xc"}


def test_production_banner_masks_the_token_and_one_command_shows_the_urls(
        make_app, capsys) -> None:
    from app.cli import _print_banner

    app = make_app(env=production_env())
    with app.app_context():
        _print_banner(app, "linda.internal", 8000)
    out = capsys.readouterr().out
    assert PROD_TOKEN not in out
    assert f"/at/{PROD_TOKEN[:2]}" in out and "/sms/inbound" in out
    assert "linda callback-urls" in out

    result = app.test_cli_runner().invoke(
        args=["callback-urls", "--base", "https://linda.example.tz"])
    assert result.exit_code == 0, result.output
    assert f"https://linda.example.tz/at/{PROD_TOKEN}/sms/inbound" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.action).where(
            AuditEntry.action == "callbacks.show_urls")) is not None


def test_development_banner_keeps_the_full_urls(make_app, capsys) -> None:
    from app.cli import _print_banner

    app = make_app()
    with app.app_context():
        _print_banner(app, "127.0.0.1", 5000)
    assert f"/at/{WEBHOOK_TOKEN}/ussd" in capsys.readouterr().out


def test_a_failing_callback_logs_no_token(app, client, caplog, monkeypatch) -> None:
    import app.sms.views as views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom while handling /at/{WEBHOOK_TOKEN}/sms/inbound")

    monkeypatch.setattr(views, "receive_inbound", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    caplog.set_level(logging.DEBUG)
    res = client.post(f"/at/{WEBHOOK_TOKEN}/sms/inbound",
                      data={"id": "ATXid_1", "from": "+255712000001", "text": "KUBALI"})
    assert res.status_code == 500
    assert caplog.records, "the failure was logged"
    formatter = logging.Formatter("%(message)s")
    for record in caplog.records:
        assert WEBHOOK_TOKEN not in formatter.format(record)
    assert any("/at/" in r.getMessage() for r in caplog.records)  # the path is still there


@pytest.mark.parametrize("path", ["/sandbox/api/ussd", "/sandbox/api/phones/+255712000001/reply"])
def test_the_sandbox_never_sends_the_token_to_the_host_a_request_names(
        app, client, monkeypatch, path) -> None:
    import app.sandbox.callbacks as callbacks

    posted: list[str] = []

    def fake_post(url: str, **kwargs: Any) -> Any:
        posted.append(url)
        raise callbacks.requests.ConnectionError("not here")

    monkeypatch.setattr(callbacks.requests, "post", fake_post)
    client.post(path, data={"phoneNumber": "+255712000001", "sessionId": "s1", "text": "hi"},
                headers={"Host": "evil.example"})
    assert posted and all("evil.example" not in url for url in posted)
