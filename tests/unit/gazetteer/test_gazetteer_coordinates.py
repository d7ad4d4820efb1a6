"""One reading of typed coordinates for the gazetteer files and the responder CSV."""

from __future__ import annotations

import pytest

from app.gazetteer.matching import parse_coordinate


def test_empty_is_none_and_numbers_are_read() -> None:
    assert parse_coordinate("", "lat") is None
    assert parse_coordinate("-6.8162", "lat") == -6.8162
    assert parse_coordinate("179.5", "seat_lon") == 179.5


@pytest.mark.parametrize(("raw", "name", "message"), [
    ("east", "lon", "lon 'east' is not a number"),
    ("-94.9", "seat_lat", "seat_lat -94.9 is out of range"),
    ("181", "lon", "lon 181 is out of range"),
    ("nan", "lat", "lat nan is out of range"),
    ("inf", "lon", "lon inf is out of range"),
])
def test_bad_coordinates_are_named_in_the_error(raw: str, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_coordinate(raw, name)
