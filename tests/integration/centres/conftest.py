"""Fixtures shared with the referral tests."""

from tests.integration.referral.conftest import later  # noqa: F401
