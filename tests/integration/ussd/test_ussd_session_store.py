"""What a hop costs the database: nothing on most hops, one statement on a phone's first.

The places are read once per process and read again when ``linda gazetteer load`` moves the
version stamp; the session lives in Redis.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.cases.models import Case
from app.extensions import db
from app.gazetteer import cache
from app.gazetteer.models import GazetteerVersion, Ward
from app.ussd.services import DbProvider
from tests.integration.ussd.ussd_helpers import dial, find_place


@pytest.fixture
def statements(app) -> Iterator[list[str]]:
    """The SQL statements the app sends, as they are sent."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def _fresh_places(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RECHECK_SECONDS", 3600.0)
    cache.forget_cached_places()


def test_only_the_first_and_the_confirming_hop_use_the_database(
        client: FlaskClient, statements: list[str]) -> None:
    # urgent, past the call-now screen, forced work, the place from the lists, fishing,
    # 2-5 children, this week, a landmark, no call; the last hop sends
    keys = ["1", "1", "2", *find_place().keys, "2", "3", "2", "2", "Sokoni", "2"]
    DbProvider().items("regions", None)  # the places, read once for the process
    statements.clear()
    assert dial(client, "").text.startswith("CON Linda:")
    assert len(statements) == 1  # the phone's language and draft, in one statement
    for n in range(1, len(keys) + 1):
        statements.clear()
        reply = dial(client, "*".join(keys[:n]))
        assert reply.text.startswith("CON "), reply.text
        assert statements == [], (reply.headers["at-ussd-hop-metadata"], statements)
    statements.clear()
    done = dial(client, "*".join([*keys, "1"]))
    assert done.text.startswith("END Asante.")
    assert any("INSERT INTO cases" in s for s in statements)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


def test_a_second_session_of_the_same_phone_needs_no_database(
        client: FlaskClient, statements: list[str]) -> None:
    dial(client, "", session="a")
    statements.clear()
    assert dial(client, "", session="b").text.startswith("CON Linda:")
    assert statements == []  # its language (none chosen) is cached in Redis


def test_a_changed_place_shows_once_the_stamp_moves(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    place = find_place()
    name = place.ward.name
    path = "*".join(["1", "1", "2", *place.keys[:-1]])  # the ward's list page
    assert name[:8] in dial(client, path).text
    db.session.execute(sa.update(Ward).where(Ward.id == place.ward.id).values(name="Zzzmpya"))
    db.session.commit()
    assert "Zzzmpya" not in dial(client, path).text  # the process's copy, not re-read
    stamp = db.session.get(GazetteerVersion, 1)
    assert stamp is not None
    stamp.version += 1
    db.session.commit()
    monkeypatch.setattr(cache, "RECHECK_SECONDS", 0.0)
    assert "Zzzmpya" in dial(client, path).text
    db.session.execute(sa.update(Ward).where(Ward.id == place.ward.id)
                       .values(name=name))
    db.session.commit()
    cache.forget_cached_places()


def test_loading_a_changed_gazetteer_moves_the_stamp(app) -> None:
    from app.gazetteer.loader import load_gazetteer

    load_gazetteer()  # undoes whatever earlier tests changed in the shared database
    db.session.commit()
    before = cache.current_version()
    load_gazetteer()  # nothing changed
    db.session.commit()
    assert cache.current_version() == before
    ward = db.session.scalars(sa.select(Ward).order_by(Ward.id).limit(1)).one()
    name, ward.name = ward.name, "Jina la zamani"
    db.session.commit()
    load_gazetteer()  # puts the census name back: a change
    db.session.commit()
    assert cache.current_version() == before + 1
    assert db.session.get(Ward, ward.id).name == name  # type: ignore[union-attr]
