"""Fixtures for referral tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest


@pytest.fixture
def later() -> Callable[[datetime], Any]:
    """Return ``travel(at)``: a context manager freezing the clock at ``at``."""
    import time_machine

    def travel(at: datetime) -> Any:
        return time_machine.travel(at, tick=False)

    return travel

