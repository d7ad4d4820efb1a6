import functools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.gazetteer import cli as gazetteer_cli
from app.gazetteer.loader import DATA_DIR, LoadResult, load_gazetteer
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import (
    best_point,
    distance_km,
    find_council,
    find_region,
    find_ward,
    place_label,
    wards_of,
)

LOADED = "31 regions, 194 councils, 4296 wards (0 added, 0 updated)"


@pytest.fixture
def restore_gazetteer(app: Flask) -> Iterator[None]:
    """Reload the shipped gazetteer after a test that changes it (the tables are kept)."""
    yield
    db.session.rollback()
    load_gazetteer()
    db.session.commit()


def test_loading_again_changes_nothing(app: Flask) -> None:
    assert load_gazetteer() == LoadResult(31, 194, 4296, added=0, updated=0)
    assert str(load_gazetteer()) == LOADED


def test_loading_repairs_changed_and_missing_rows(app: Flask, restore_gazetteer: None) -> None:
    ward = db.session.get(Ward, "W01116")
    ward.name, ward.search_key = "Kariakoo Sokoni", "kariakoo sokoni"
    db.session.get(Region, "TZ-03").lat = None
    db.session.execute(sa.delete(Ward).where(Ward.id == "W04296"))
    db.session.commit()
    assert load_gazetteer() == LoadResult(31, 194, 4296, added=1, updated=2)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Ward, "W01116").name == "Kariakoo"
    assert db.session.get(Region, "TZ-03").lat == pytest.approx(-6.0103)
    assert db.session.get(Ward, "W04296") is not None
    assert load_gazetteer().added == load_gazetteer().updated == 0


def test_cli_load_prints_counts_and_exits_0(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["gazetteer", "load"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == LOADED


def test_cli_load_rejects_bad_data_in_one_line_and_writes_nothing(
        app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        restore_gazetteer: None) -> None:
    for source in DATA_DIR.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    wards = tmp_path / "tz_wards_2022.csv"
    text = wards.read_text(encoding="utf-8")
    assert ",Kariakoo\n" in text and "W04296,TZ-10-C194," in text
    wards.write_text(text.replace(",Kariakoo\n", ",Kariakoo Mpya\n")
                     .replace("W04296,TZ-10-C194,", "W04296,TZ-10-C999,"), encoding="utf-8")
    monkeypatch.setattr(gazetteer_cli, "load_gazetteer",
                        functools.partial(load_gazetteer, tmp_path))
    result = app.test_cli_runner().invoke(args=["gazetteer", "load"])
    assert result.exit_code == 1
    assert "tz_wards_2022.csv:4297: unknown council TZ-10-C999" in result.output
    assert "nothing was loaded" in result.output
    db.session.expire_all()
    assert db.session.get(Ward, "W01116").name == "Kariakoo"


def test_a_ward_point_is_its_council_seat(app: Flask) -> None:
    dar = find_region("Dar es Salaam")
    ilala = find_council(dar, "Ilala")
    kariakoo = find_ward(ilala, "Kariakoo")
    assert (kariakoo.lat, kariakoo.lon) == (None, None)
    assert best_point(ward=kariakoo) == (ilala.lat, ilala.lon) == (-6.82349, 39.26951)


def test_a_ward_whose_council_has_no_seat_falls_back_to_the_region_point(app: Flask) -> None:
    dar = find_region("Dar es Salaam")
    kinondoni = find_council(dar, "Kinondoni")
    assert (kinondoni.lat, kinondoni.lon) == (None, None)
    ward = wards_of(kinondoni.id)[0]
    assert best_point(ward=ward) == best_point(council=kinondoni) == (dar.lat, dar.lon)
    assert best_point(region=dar) == (-6.8161, 39.2804)


def test_every_ward_has_a_point(app: Flask) -> None:
    councils = db.session.scalars(sa.select(Council)).all()
    assert sum(c.lat is not None for c in councils) == 122
    assert all(best_point(council=c) is not None for c in councils)


def test_best_point_is_none_when_nothing_is_known(app: Flask) -> None:
    assert best_point() is None
    assert best_point(region=Region(id="TZ-99", name="Nowhere")) is None


def test_best_point_prefers_the_most_precise_place(app: Flask) -> None:
    council = db.session.get(Council, "TZ-02-C053")
    ward = Ward(id="W99999", name="Test", search_key="test", lat=-6.81, lon=39.28)
    assert best_point(ward=ward, council=council) == (-6.81, 39.28)
    assert best_point(council=council, region=council.region) == (council.lat, council.lon)


def test_kariakoo_is_near_kinondoni_and_far_from_dodoma(app: Flask) -> None:
    dar = find_region("Dar es Salaam")
    kariakoo = best_point(ward=find_ward(find_council(dar, "Ilala"), "Kariakoo"))
    kinondoni = best_point(council=find_council(dar, "Kinondoni"))
    dodoma = best_point(council=find_council(find_region("Dodoma"), "Dodoma"))
    assert distance_km(kariakoo, kinondoni) < 10
    assert 350 < distance_km(kariakoo, dodoma) < 450


def test_place_label_is_short_for_sms(app: Flask) -> None:
    dar = find_region("Dar es Salaam")
    ilala, temeke = find_council(dar, "Ilala"), find_council(dar, "Temeke")
    kariakoo = find_ward(ilala, "Kariakoo")
    assert place_label(dar, ilala, kariakoo) == "Kariakoo, Ilala (Dar es Salaam CC)"
    assert place_label(dar, temeke, find_ward(temeke, "Chang'ombe")) == \
        "Chang'ombe, Temeke (MC), Dar es Salaam"
    assert place_label(dar, temeke, None) == "Temeke (MC), Dar es Salaam"
    assert place_label(dar, None, None) == "Dar es Salaam"
    arusha = find_region("Arusha")
    assert place_label(arusha, find_council(arusha, "Arusha CC"), None) == "Arusha (CC)"


def test_cli_load_on_a_database_without_tables_says_to_upgrade(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing_table() -> LoadResult:
        raise sa.exc.ProgrammingError("SELECT", {}, Exception('relation "regions" does not exist'))

    monkeypatch.setattr(gazetteer_cli, "load_gazetteer", missing_table)
    result = app.test_cli_runner().invoke(args=["gazetteer", "load"])
    assert result.exit_code == 1
    assert 'relation "regions" does not exist. Run `linda db upgrade` first.' in result.output


@pytest.mark.parametrize(("args", "lines"), [
    ([], ["TZ-01   Arusha", "TZ-02   Dar es Salaam"]),
    (["dsm"], ["TZ-02-C053   Ilala (Dar es Salaam CC)", "TZ-02-C055   Kigamboni (MC)"]),
    (["Dodoma", "Kondoa TC"], ["W00028  Bolisa", "W00024  Chemchem"]),
])
def test_cli_show_lists_places_with_ids(app: Flask, args: list[str], lines: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=["gazetteer", "show", *args])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == lines


@pytest.mark.parametrize(("args", "message"), [
    (["Dar es Salam"], "no region called 'Dar es Salam' in Tanzania; did you mean: Dar es Salaam"),
    (["Dodoma", "Kondoa"], "'Kondoa' in Dodoma could be: Kondoa (DC), Kondoa (TC)"),
])
def test_cli_show_explains_unknown_and_ambiguous_names(
        app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["gazetteer", "show", *args])
    assert result.exit_code == 1
    assert message in result.output
