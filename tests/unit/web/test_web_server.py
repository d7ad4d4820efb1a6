"""Which server ``linda serve`` picks, and what it tells gunicorn."""

from __future__ import annotations

import pytest

from app.web.server import choose_server, default_workers, gunicorn_options


@pytest.mark.parametrize(("requested", "env", "expected"), [
    ("auto", "production", "gunicorn"),
    ("auto", "development", "waitress"),
    ("auto", "testing", "waitress"),
    ("waitress", "production", "waitress"),
    ("gunicorn", "development", "gunicorn"),
])
def test_production_gets_gunicorn_and_a_laptop_waitress(requested: str, env: str,
                                                        expected: str) -> None:
    assert choose_server(requested, {"LINDA_ENV": env}) == expected


def test_gunicorn_options_bind_ipv4_and_ipv6() -> None:
    assert gunicorn_options("0.0.0.0", 8000, 3)["bind"] == "0.0.0.0:8000"  # noqa: S104
    assert gunicorn_options("::", 8000, 3)["bind"] == "[::]:8000"
    assert gunicorn_options("10.0.0.1", 8000, 3)["workers"] == 3
    assert default_workers() >= 3
