"""Fixtures shared with the referral tests."""

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from tests.integration.referral.conftest import later  # noqa: F401

#: Check-ins 10, 20 and 30 s after closing; 5 s to answer; "could not reach" again after 3 s.
SCHEDULE_ENV = {"FOLLOWUP_SCHEDULE": "10s,20s,30s", "FOLLOWUP_ANSWER_WITHIN": "5s",
                "FOLLOWUP_RETRY_AFTER": "3s"}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """A test app whose follow-up schedule runs in seconds."""
    app = make_app(env=SCHEDULE_ENV)
    with app.app_context():
        yield app
