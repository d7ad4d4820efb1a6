"""Finding 5: what a responder types (a decline reason, an outcome) is sealed at rest, and
control characters never reach the database or a staff terminal."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.referral.models import Alert
from tests.integration.referral.referral_helpers import KARIAKOO, report, responder, sms_in


def raw_rows(table: str) -> str:
    with db.engine.connect() as conn:
        return repr(conn.execute(sa.select(db.metadata.tables[table])).all())


def test_a_decline_reason_is_sealed_and_still_shown_to_staff(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    sms_in(police.phone, f"KATAA {case.reference} mtoto Neema 0712345678 yuko kwa jirani")
    assert "Neema" not in raw_rows("alerts") and "0712345678" not in raw_rows("alerts")
    db.session.expire_all()
    (alert,) = db.session.scalars(sa.select(Alert)).all()
    assert alert.reason == "mtoto Neema 0712345678 yuko kwa jirani"
    out = app.test_cli_runner().invoke(args=["cases", "show", case.reference], color=True).output
    assert "(mtoto Neema 0712345678 yuko kwa jirani)" in out


def test_control_characters_are_stripped_before_storing_and_printing(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    sms_in(police.phone, f"KUBALI {case.reference}")
    sms_in(police.phone, f"MALIZA {case.reference} salama\x1b[2J\x1b]0;owned\x07 kabisa")
    db.session.expire_all()
    from app.cases.models import Case

    stored = db.session.get_one(Case, case.id).outcome
    assert stored is not None and "\x1b" not in stored and "\x07" not in stored
    assert "salama" in stored and "kabisa" in stored
    out = app.test_cli_runner().invoke(args=["cases", "show", case.reference], color=True).output
    assert "\x1b" not in out and "\x07" not in out


def test_text_already_stored_with_escapes_is_printed_harmlessly(app) -> None:
    from app.cases.models import Case

    case = report()
    row = db.session.get_one(Case, case.id)
    row.landmark_enc = None
    db.session.commit()
    # An older row written before stripping: sealed directly, escapes and all.
    from app.privacy import vault

    row.landmark_enc = vault().encrypt("soko\x1b[31m nyekundu", f"cases.landmark:{row.reference}")
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["cases", "show", case.reference], color=True).output
    assert "\x1b" not in out and "soko" in out
