"""Keep secrets out of every log record, whoever logs it (Flask, werkzeug, waitress, us).

A failing request makes Flask log ``Exception on /at/<token>/sms/inbound``; an exception may
carry a callback URL in its message. Records are redacted when they are made, through the
log record factory, so no handler or formatter configured later can see the secret.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_SECRETS: set[str] = set()
_LOCK = threading.Lock()
_installed = False


def mask(secret: str) -> str:
    """A form that names which secret without revealing it: its first two characters."""
    return f"{secret[:2]}…"


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret and secret in text:
            text = text.replace(secret, mask(secret))
    return text


def register_secret(secret: str | None) -> None:
    """Redact ``secret`` from every log record made from now on in this process."""
    global _installed
    if not secret or len(secret) < 4:
        return
    with _LOCK:
        _SECRETS.add(secret)
        if not _installed:
            _install()
            _installed = True


def _install() -> None:
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            _scrub(record)
        except Exception:
            record.msg, record.args = "(log record withheld: it could not be redacted)", ()
        return record

    logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord) -> None:
    message = record.getMessage()
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        # Formatters reuse exc_text when it is set: format the traceback once, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
