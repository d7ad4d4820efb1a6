"""`linda keys rotate` re-seals everything under a new key version in committed batches: killed
half-way, every value still opens (old and new versions side by side) and a second run
finishes. Run on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.privacy import key_version
from app.sms.models import OutboundSms
from tests.conftest import DATA_KEY, base_env
from tests.integration.referral.referral_helpers import KARIAKOO, report, responder

NEW_KEY = "Nk5Rt8Yu2Io6Pa1Sd9Fg4Hj7Kl3Zx0Cv5Bn8"
ROTATED = f"2:{NEW_KEY},1:{DATA_KEY}"
ROWS = 400


def versions() -> dict[int | None, int]:
    with db.engine.connect() as conn:
        tokens = conn.execute(sa.select(OutboundSms.__table__.c.body_enc)).scalars().all()
    counts: dict[int | None, int] = {}
    for token in tokens:
        counts[key_version(token)] = counts.get(key_version(token), 0) + 1
    return counts


def test_rotation_killed_half_way_stays_readable_and_finishes(
        make_app, database_url: str, tmp_path: Path) -> None:
    old = make_app()
    with old.app_context():
        police = responder("police_gcd", ward=KARIAKOO, phone="+255712000001")
        case = report()
        case.landmark = "Nyumba ya bluu"
        db.session.add_all(OutboundSms.compose(f"+2557120{i:05d}", f"ujumbe {i}")
                           for i in range(ROWS))
        db.session.commit()
        police_id, case_id = police.id, case.id
        db.session.remove()

    env = {**os.environ, **base_env(database_url, tmp_path / "instance",
                                     LINDA_DATA_KEY=ROTATED)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "keys", "rotate",
         "--batch", "20", "--pause", "0.05"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    new = make_app(env={"LINDA_DATA_KEY": ROTATED})
    with new.app_context():
        deadline = time.monotonic() + 60
        while versions().get(2, 0) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        half = versions()
        assert half.get(1, 0) > 0 and half.get(2, 0) > 0, half  # killed half-way

        db.session.expire_all()
        bodies = {m.body for m in db.session.scalars(sa.select(OutboundSms))}
        assert bodies == {f"ujumbe {i}" for i in range(ROWS)}  # both versions open

        result = new.test_cli_runner().invoke(args=["keys", "rotate", "--batch", "50"])
        assert result.exit_code == 0, result.output
        assert "every value is under key version 2" in result.output
        assert versions() == {2: ROWS}
        db.session.expire_all()
        from app.cases.models import Case
        from app.referral.models import Responder

        assert db.session.get_one(Responder, police_id).phone == "+255712000001"
        assert key_version(db.session.get_one(Responder, police_id).phone_enc) == 2
        assert db.session.get_one(Case, case_id).landmark == "Nyumba ya bluu"
        assert {m.body for m in db.session.scalars(sa.select(OutboundSms))} == bodies
        again = new.test_cli_runner().invoke(args=["keys", "rotate"])
        assert "done: 0 row(s)" in again.output
