"""Running due jobs in the main thread leaves Ctrl-C and SIGTERM as they were.

RQ's worker installs handlers that raise ``StopRequested``; left behind, a later SIGTERM to a
``linda`` command or a test process would surface as that exception in unrelated code.
"""

from __future__ import annotations

import signal

from flask import Flask

from app.worker.runner import drain


def test_draining_the_queues_gives_back_the_signal_handlers(app: Flask) -> None:
    def mine(signum: int, frame: object) -> None:  # pragma: no cover - never delivered
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        default_int = signal.getsignal(signal.SIGINT)
        drain(app)
        assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGINT) is default_int
    finally:
        signal.signal(signal.SIGTERM, before)
