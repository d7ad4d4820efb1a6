"""The HTTP calls the sandbox makes to Linda's own webhooks, exactly as AT makes them.

Every call is a real form POST with a timeout, so the webhooks, the token check and the
answers are exercised as in production. Nothing here touches the database: callers commit
before calling, so a webhook writing in another thread never waits for a lock we hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests
from flask import current_app

#: (connect, read) seconds; AT gives a USSD app a few seconds, and so do we.
TIMEOUT: tuple[float, float] = (3.05, 10.0)
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CallbackResult:
    """How Linda answered: an HTTP status and body, or the network error instead."""

    status: int | None
    body: str
    error: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def summary(self) -> str:
        """One line for the page: ``200 OK`` or what went wrong."""
        if self.error:
            return self.error
        body = self.body.strip()
        if body.startswith("<"):  # an HTML error page: its title says enough
            title = _TITLE.search(body)
            first = title.group(1).strip() if title else "HTML page"
        elif body.startswith("{"):  # Linda's JSON answers: {"status": …} or {"error": …}
            first = _json_summary(body)
        else:
            first = body.splitlines()[0][:120] if body else ""
        return f"HTTP {self.status}" + (f": {first}" if first else "")


def _json_summary(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.splitlines()[0][:120]
    if isinstance(data, dict):
        for key in ("error", "status"):
            if isinstance(data.get(key), str):
                return str(data[key])[:120]
    return body[:120]


def webhook_url(base_url: str, path: str) -> str:
    """``<base>/at/<token>/<path>`` for the configured token."""
    token = current_app.config["LINDA_WEBHOOK_TOKEN"]
    return f"{base_url.rstrip('/')}/at/{token}/{path}"


def post_form(base_url: str, path: str, form: Mapping[str, str]) -> CallbackResult:
    """POST ``form`` to the webhook ``path``; network errors become a result, never raise."""
    try:
        res = requests.post(webhook_url(base_url, path), data=dict(form), timeout=TIMEOUT,
                            headers={"User-Agent": "linda-sandbox"})
    except requests.Timeout:
        return CallbackResult(None, "", f"Linda did not answer within {TIMEOUT[1]:.0f} s")
    except requests.RequestException as exc:
        return CallbackResult(None, "", f"cannot reach Linda at {base_url}: "
                                        f"{type(exc).__name__}")
    return CallbackResult(res.status_code, res.text[:2000], headers=dict(res.headers))
