"""A report confirmed while the database is down: the reporter still reads a case number,
the report is kept sealed on disk, and it is written and dispatched once the database is
back, exactly once."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.cases.models import Case
from app.cases.reference import SPOOL_FROM
from app.extensions import db
from app.referral.models import Alert
from app.ussd import menu
from app.ussd.outage import answer_without_database, anything_spooled, pending, spool_dir
from app.ussd.services import Hop
from app.worker.reconcile import reconcile
from app.worker.runner import drain
from tests.conftest import base_env
from tests.e2e.e2e_helpers import LANDMARK, report_inputs
from tests.integration.referral.referral_helpers import KARIAKOO, responder
from tests.integration.ussd.ussd_helpers import CODE, dial
from tests.servers import PostgresCluster, needs_pg_binaries
from tests.workers import REAL_SERVICES

REPORTER = "+255754321987"


def reference_in(screen: str) -> str:
    match = re.search(r"\b(\d{7})\b", screen)
    assert match, screen
    return match[1]


def cases() -> list[Case]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Case)))


def test_a_spooled_confirmation_is_written_once_when_the_database_is_back(
        app, client, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    inputs = report_inputs(consent=False)
    for n in range(1, len(inputs)):  # every hop up to the confirmation screen
        assert dial(client, "*".join(inputs[:n]), session="out-1",
                    phone=REPORTER).text.startswith("CON")
    hop = Hop("out-1", CODE, REPORTER, "*".join(inputs))

    # What the confirming hop answers when the database does not (see the PostgreSQL test).
    reply = answer_without_database(hop)
    assert reply is not None and reply.text.startswith("END")
    reference = reference_in(reply.text)
    assert int(reference[:6]) >= SPOOL_FROM  # from the block no ordinary case number uses
    assert answer_without_database(hop).text == reply.text  # the hop repeated: same number
    [spooled] = pending()
    sealed = spooled.read_text()
    assert REPORTER not in sealed and REPORTER[4:] not in sealed and "msikiti" not in sealed
    assert cases() == []

    assert reconcile()["ussd-spool"] == 1
    [case] = cases()
    assert (case.reference, case.ussd_session_id, case.reporter_phone, case.landmark) == (
        reference, "out-1", REPORTER, LANDMARK)
    assert pending() == []
    assert reconcile()["ussd-spool"] == 0
    run_jobs()
    assert [a.responder_id for a in db.session.scalars(sa.select(Alert))] == [police.id]
    # The hop repeated once the database is back shows the case, not a second one.
    again = dial(client, "*".join(inputs), session="out-1", phone=REPORTER)
    assert reference in again.text and len(cases()) == 1


def test_a_hop_replays_a_report_spooled_after_the_folder_was_last_seen_empty(
        app, client) -> None:
    """Hops check the spool folder with one ``stat`` while it is unchanged; a report another
    process spools later is still written by the next hop, not left for the reconciler."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    settled = time.time() - 10
    os.utime(folder, (settled, settled))
    assert anything_spooled() is False and anything_spooled() is False  # now remembered
    inputs = report_inputs(consent=False)
    for n in range(1, len(inputs)):
        dial(client, "*".join(inputs[:n]), session="out-4", phone=REPORTER)
    reply = answer_without_database(Hop("out-4", CODE, REPORTER, "*".join(inputs)))
    assert reply is not None and len(pending()) == 1 and cases() == []

    dial(client, "", session="out-5", phone="+255754000555")  # anybody's next hop
    [case] = cases()
    assert case.reference == reference_in(reply.text) and pending() == []


def test_a_report_spooled_by_an_older_menu_is_kept_not_misread(
        app, client, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = report_inputs(consent=False)
    for n in range(1, len(inputs)):
        dial(client, "*".join(inputs[:n]), session="out-2", phone=REPORTER)
    reply = answer_without_database(Hop("out-2", CODE, REPORTER, "*".join(inputs)))
    assert reply is not None and reply.text.startswith("END")
    version = menu.MENU_VERSION
    monkeypatch.setattr(menu, "MENU_VERSION", version + 1)  # the release was upgraded meanwhile
    assert reconcile()["ussd-spool"] == 0
    assert cases() == [] and len(pending()) == 1  # its inputs walk another menu: kept
    monkeypatch.setattr(menu, "MENU_VERSION", version)  # the release that spooled it
    assert reconcile()["ussd-spool"] == 1
    [case] = cases()
    assert case.reference == reference_in(reply.text) and pending() == []


def test_a_hop_that_is_not_a_confirmation_is_not_spooled(app, client) -> None:
    inputs = report_inputs(consent=False)
    dial(client, "*".join(inputs[:3]), session="out-2")
    assert answer_without_database(Hop("out-2", CODE, REPORTER, "*".join(inputs[:3]))) is None
    # A place list this process never served cannot be replayed: no number is promised.
    assert answer_without_database(Hop("out-3", CODE, REPORTER, "1*1*2*3*2*77*1*1")) is None
    assert pending() == []


@pytest.mark.slow
@needs_pg_binaries
@pytest.mark.skipif(not REAL_SERVICES, reason="stops PostgreSQL: runs on the PostgreSQL suite "
                                              "(DATABASE_URL and REDIS_URL set)")
def test_postgresql_stopped_mid_report_still_gives_a_number_and_refers_it(
        redis_conn, tmp_path: Path) -> None:
    cluster = PostgresCluster().start()
    try:
        cluster.create_database()
        app = create_app({"TESTING": True, "REDIS_CONNECTION": redis_conn},
                         env=base_env(cluster.url, tmp_path / "instance"))
        with app.app_context():
            from app.gazetteer.loader import load_gazetteer

            db.create_all()
            load_gazetteer()
            db.session.commit()
            police = responder("police_gcd", ward=KARIAKOO)
            client = app.test_client()
            inputs = report_inputs(consent=True)
            for n in range(1, len(inputs)):
                assert dial(client, "*".join(inputs[:n]), session="pg-out",
                            phone=REPORTER).text.startswith("CON")

            cluster.stop("immediate")  # the database goes away before the reporter confirms
            screen = dial(client, "*".join(inputs), session="pg-out", phone=REPORTER).text
            assert screen.startswith("END"), screen
            reference = reference_in(screen)
            assert len(pending()) == 1

            cluster.start()
            db.session.rollback()
            counts = reconcile()
            assert counts["ussd-spool"] == 1
            drain(app)
            [case] = cases()
            assert (case.reference, case.callback_consent) == (reference, True)
            assert [a.responder_id for a in db.session.scalars(sa.select(Alert))] == [
                police.id]
            assert reconcile()["ussd-spool"] == 0 and len(cases()) == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        cluster.remove()
