"""A hop that meets a busy database is run again; the caller still reads their screen."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from app import transaction
from app.cases.models import Case
from app.extensions import db
from app.ussd import services, store, views
from tests.integration.ussd.ussd_helpers import dial, find_place

UNAVAILABLE = "END Samahani, huduma haipatikani sasa."


def locked() -> OperationalError:
    return OperationalError("INSERT INTO cases …", {}, sqlite3.OperationalError(
        "database is locked"))


class DeadlockError(Exception):
    sqlstate = "40P01"


def failing(real: Callable[..., Any], times: int, error: Callable[[], Exception]
            ) -> tuple[Callable[..., Any], list[int]]:
    """``real``, but the first ``times`` calls fail with ``error()`` after doing their work."""
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        result = real(*args, **kwargs)
        db.session.flush()
        if len(calls) <= times:
            raise error()
        return result

    return wrapper, calls


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transaction, "BUSY_PAUSE", 0.001)


def test_a_locked_first_hop_is_answered_with_the_main_menu(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper, calls = failing(views.handle_hop, 2, locked)
    monkeypatch.setattr(views, "handle_hop", wrapper)
    reply = dial(client, "")
    assert reply.text.startswith("CON ") and reply.headers["at-ussd-hop-metadata"] == "main"
    assert len(calls) == 3
    session = store.load("s-1")  # the failed tries left no trace
    assert session is not None and session.hops == 1


def test_a_confirming_hop_that_meets_a_deadlock_makes_one_case(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    path = "*".join(["1", "1", "2", *find_place().keys, "2", "3", "2", "2", "Sokoni",
                     "1", "1"])
    wrapper, calls = failing(services.create_case, 1, lambda: OperationalError(
        "INSERT INTO cases …", {}, DeadlockError("deadlock detected")))
    monkeypatch.setattr(services, "create_case", wrapper)
    reply = dial(client, path)
    db.session.expire_all()
    [case] = db.session.scalars(sa.select(Case))
    assert reply.text.startswith("END Asante.") and case.reference in reply.text
    assert len(calls) == 2


def test_a_database_that_stays_locked_gives_the_hotline_numbers(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper, calls = failing(views.handle_hop, 99, locked)
    monkeypatch.setattr(views, "handle_hop", wrapper)
    assert dial(client, "").text.startswith(UNAVAILABLE)
    assert len(calls) == transaction.BUSY_TRIES


def test_other_database_errors_are_not_tried_again(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper, calls = failing(views.handle_hop, 99, lambda: OperationalError(
        "SELECT …", {}, sqlite3.OperationalError("no such table: ussd_sessions")))
    monkeypatch.setattr(views, "handle_hop", wrapper)
    assert dial(client, "").text.startswith(UNAVAILABLE)
    assert len(calls) == 1
