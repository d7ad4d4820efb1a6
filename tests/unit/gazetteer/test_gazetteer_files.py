import shutil
from pathlib import Path

import pytest

from app.gazetteer.loader import DATA_DIR, GazetteerDataError, read_gazetteer
from app.gazetteer.matching import distance_km
from app.gazetteer.names import fold


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Return a writable copy of the shipped gazetteer files."""
    for source in DATA_DIR.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_files_hold_31_regions_194_councils_4296_wards() -> None:
    regions, councils, wards = read_gazetteer()
    assert (len(regions), len(councils), len(wards)) == (31, 194, 4296)
    by_id = {c["id"]: c for c in councils}
    assert by_id["TZ-02-C053"]["name"] == "Dar es Salaam"  # NBS spells it "Dar Es Salaam"
    assert by_id["TZ-02-C053"]["known_as"] == "Ilala"
    assert {r["id"]: r for r in regions}["TZ-19"]["alt_names"] == "Coast"
    assert all(w["search_key"] == fold(w["name"]) for w in wards)


def test_council_seats_lie_in_their_region() -> None:
    """A seat matched by name to a town elsewhere would send alerts to the wrong people."""
    regions, councils, _ = read_gazetteer()
    points = {r["id"]: (r["lat"], r["lon"]) for r in regions}
    assert all(None not in point for point in points.values())
    seats = [c for c in councils if c["lat"] is not None]
    assert len(seats) == 122
    for council in seats:
        # Region points lie up to 210 km from the capital; Morogoro is 400 km across.
        assert distance_km((council["lat"], council["lon"]), points[council["region_id"]]) < 300


def test_every_file_is_documented_with_its_licence() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for path in DATA_DIR.glob("*.csv"):
        assert f"`{path.name}`" in readme
    for licence in ("GPL-3.0", "CC BY 4.0", "MIT", "GeoNames"):
        assert licence in readme


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("tz_councils_2022.csv", "TZ-03,town_council,Kondoa", "TZ-03,village_council,Kondoa",
     "tz_councils_2022.csv:3: unknown council_type 'village_council'"),
    ("tz_councils_2022.csv", "-4.9,35.78333", "-4.9,east",
     "tz_councils_2022.csv:2: seat_lon 'east' is not a number"),
    ("tz_councils_2022.csv", "-4.9,35.78333", "-94.9,35.78333",
     "tz_councils_2022.csv:2: seat_lat -94.9 is out of range"),
    ("tz_councils_2022.csv", "TZ-03-C002,Dodoma,TZ-03", "TZ-03-C001,Dodoma,TZ-03",
     "tz_councils_2022.csv:3: duplicate id TZ-03-C001"),
    ("tz_councils_2022.csv", "TZ-03-C002,Dodoma,TZ-03", "TZ-03-C002,Dodoma,TZ-99",
     "tz_councils_2022.csv:3: unknown region TZ-99"),
    ("tz_wards_2022.csv", "W00002,TZ-03-C001", "W00002,TZ-03-C999",
     "tz_wards_2022.csv:3: unknown council TZ-03-C999"),
    ("tz_wards_2022.csv", "W00002,TZ-03-C001,Dodoma,TZ-03", "W00002,TZ-03-C001,Dodoma,TZ-02",
     "tz_wards_2022.csv:3: ward W00002 says region TZ-02"),
    ("tz_wards_2022.csv", ",Hondomairo", ",  ",
     "tz_wards_2022.csv:3: column 'ward_name' is empty or missing"),
    ("place_aliases.csv", "council,TZ-02-C053", "council,TZ-02-C999",
     "place_aliases.csv: aliases for unknown ids: TZ-02-C999"),
    ("place_aliases.csv", "region,TZ-02,DSM", "district,TZ-02,DSM",
     "place_aliases.csv:3: kind must be region or council"),
])
def test_a_bad_row_is_rejected_with_file_and_line(
        data_dir: Path, file: str, old: str, new: str, message: str) -> None:
    edit(data_dir / file, old, new)
    with pytest.raises(GazetteerDataError) as caught:
        read_gazetteer(data_dir)
    assert message in str(caught.value)


def test_a_missing_file_is_named(data_dir: Path) -> None:
    (data_dir / "tz_wards_2022.csv").unlink()
    with pytest.raises(GazetteerDataError, match=r"missing gazetteer file .*tz_wards_2022\.csv"):
        read_gazetteer(data_dir)


def test_a_file_that_is_not_utf8_is_named(data_dir: Path) -> None:
    (data_dir / "tz_regions.csv").write_bytes(b"nbs2022_name,iso3166_2\n\xff\xfe,TZ-01\n")
    with pytest.raises(GazetteerDataError, match=r"tz_regions\.csv: not a readable UTF-8"):
        read_gazetteer(data_dir)
