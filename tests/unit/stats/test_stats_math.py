"""Weeks, duration buckets, percentiles and small-cell protection: the arithmetic staff trust."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.stats.rollup import BUCKETS, bucket_of, week_bounds, week_of
from app.stats.services import percentile, protect


def test_weeks_start_on_monday_in_east_africa_time() -> None:
    # Sunday 21:30 UTC is already Monday 00:30 in Dar es Salaam.
    assert week_of(datetime(2026, 11, 29, 21, 30, tzinfo=UTC)) == date(2026, 11, 30)
    assert week_of(datetime(2026, 11, 29, 20, 59, tzinfo=UTC)) == date(2026, 11, 23)
    start, end = week_bounds(date(2026, 11, 30))
    assert start == datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    assert (end - start).days == 7


def test_a_duration_lands_in_the_first_bucket_that_holds_it() -> None:
    assert bucket_of(0) == 0
    assert bucket_of(10) == 0
    assert bucket_of(11) == 1
    assert bucket_of(-5) == 0  # clocks that disagree never make a negative bucket
    assert bucket_of(10**9) == len(BUCKETS)


def test_percentile_interpolates_inside_the_bucket() -> None:
    counts = [0] * (len(BUCKETS) + 1)
    counts[4] = 10  # ten cases between 45 s and 60 s
    assert percentile(counts, 0.5) == pytest.approx(52.5)
    assert percentile(counts, 0.9) == pytest.approx(58.5)
    counts[-1] = 90  # most took longer than the last bound: the answer is that bound
    assert percentile(counts, 0.5) == BUCKETS[-1]
    assert percentile([0] * (len(BUCKETS) + 1), 0.5) is None


@pytest.mark.parametrize(("n", "suppress", "shown"), [
    (0, True, 0), (1, True, None), (4, True, None), (5, True, 5), (3, False, 3)])
def test_counts_from_one_to_four_are_hidden_only_where_protection_applies(
        n: int, suppress: bool, shown: int | None) -> None:
    assert protect(n, suppress) == shown
