"""The embedded worker of ``linda serve`` keeps the terminal readable."""

from __future__ import annotations

import logging

from flask import Flask

from app.worker.runner import drain


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_polling_the_scheduler_does_not_log_a_line_per_round(app: Flask) -> None:
    # `linda serve` drains twice a second; each round used to print "Acquired scheduler lock".
    logger = logging.getLogger("rq.scheduler")
    records = _Records()
    logger.addHandler(records)
    try:
        for _ in range(3):
            drain(app)
    finally:
        logger.removeHandler(records)
    assert not [m for m in records.messages if "scheduler lock" in m]
