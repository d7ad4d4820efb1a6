"""Fixtures for security tests."""

from __future__ import annotations

from tests.integration.referral.conftest import later  # noqa: F401  (the moved clock)
