"""Fixtures of the end-to-end suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture DEBUG records of every logger, including those that stop propagating."""
    caplog.set_level(logging.DEBUG)
    changed: list[tuple[logging.Logger, int, bool]] = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            changed.append((logger, logger.level, logger.propagate))
            logger.setLevel(logging.DEBUG)
            logger.propagate = True
    yield caplog
    for logger, level, propagate in changed:
        logger.setLevel(level)
        logger.propagate = propagate
