"""The whole product driven from outside, as Africa's Talking and people on phones drive it.

Everything goes over HTTP to a served app: USSD hops and SMS to the ``/at/<token>/…`` webhooks,
replies typed on the sandbox's virtual phones, and SMS out through the real ``africastalking``
SDK to the app's own ``/sandbox/version1``. Only the jobs are run in the test's thread
(``drain``), unless a separate ``linda worker`` runs them.
"""

from __future__ import annotations

import re
from itertools import count
from pathlib import Path

import requests
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.phone import normalise_phone
from app.privacy import phone_hash
from app.sandbox.models import Direction, SandboxMessage
from app.ussd.services import DbProvider
from app.worker.runner import drain
from tests.conftest import WEBHOOK_TOKEN
from tests.integration.referral.referral_helpers import DSM, DSM_CC, KARIAKOO
from tests.integration.ussd.ussd_helpers import CODE, keys_for

REPORTER = "+255754321987"
LANDMARK = "Nyuma ya msikiti wa Mnazi Mmoja"

# Kariakoo ward (Dar es Salaam CC, formerly Ilala): its police desk and the council's social
# welfare officer are the nearest of the first urgent wave; Kisutu's police desk and
# Kariakoo's ward executive are in the second; the supervisor is told when all stay silent.
ASHA, JUMA, NEEMA, BARAKA, SUPERVISOR = (
    "+255713500101", "+255713500102", "+255713500103", "+255713500104", "+255713500105")
RESPONDERS_CSV = """name,phone,role,region,council,ward,languages,on_duty
Asha Mrisho,0713 500 101,police_gcd,Dar es Salaam,Ilala,Kariakoo,sw,yes
Juma Said,255713500102,social_welfare,Dar es Salaam,Dar es Salaam CC,,sw,yes
Neema Mushi,+255713500103,police_gcd,Dar es Salaam,Dar es Salaam CC,Kisutu,sw,yes
Baraka Lema,0713500104,ward_executive,Dar es Salaam,Dar es Salaam CC,Kariakoo,sw,yes
Rehema Ally,0713500105,hotline_supervisor,Dar es Salaam,,,sw,yes
"""
RESPONDER_PHONES = (ASHA, JUMA, NEEMA, BARAKA, SUPERVISOR)
_REFERENCE = re.compile(r"\b(\d{7})\b")
_sessions = count(1)
_sms_ids = count(1)


def kariakoo_keys() -> list[str]:
    """From the place question, typing nothing: the regions' range and Dar es Salaam, the
    council, Kariakoo's range and Kariakoo."""
    provider = DbProvider()
    return (keys_for(provider.items("regions", None), DSM, "report.region")
            + keys_for(provider.items("councils", DSM), DSM_CC, "report.council")
            + keys_for(provider.items("wards", DSM_CC), KARIAKOO, "report.ward"))


def report_inputs(*, consent: bool, landmark: str | None = LANDMARK) -> list[str]:
    """"Danger now" on the main menu (then the 112 screen), forced work in Kariakoo (from the
    lists); details: fishing, 2-5 children, this week, the landmark, call me or not; send."""
    where = [landmark] if landmark else ["1"]  # "1" skips the landmark
    return ["1", "1", "2", *kariakoo_keys(), "2", "3", "2", "2", *where,
            "1" if consent else "2", "1"]


class Product:
    """A served Linda app and the people using it."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app, self.url = app, url
        self.http = requests.Session()

    # --- jobs -------------------------------------------------------------------------------

    def run_jobs(self) -> int:
        """Run every queued and due job of the served app, following chains."""
        db.session.commit()
        ran = drain(self.app)
        db.session.expire_all()
        return ran

    # --- the operator ----------------------------------------------------------------------

    def import_responders(self, tmp_path: Path, text: str = RESPONDERS_CSV) -> str:
        """``linda responders import FILE.csv``; returns its output (fails the test on error)."""
        path = tmp_path / "responders.csv"
        path.write_text(text, encoding="utf-8")
        result = self.app.test_cli_runner().invoke(args=["responders", "import", str(path)])
        assert result.exit_code == 0, result.output
        return result.output

    def set_up_directory(self, tmp_path: Path, text: str = RESPONDERS_CSV) -> None:
        """Import ``text`` and confirm every number from its own phone."""
        self.import_responders(tmp_path, text)
        self.run_jobs()
        for line in text.splitlines()[1:]:
            self.sms_from(normalise_phone(line.split(",")[1]), "ANZA")
        self.run_jobs()

    def set_phone_mode(self, phone: str, mode: str) -> None:
        """How the sandbox's network treats SMS to ``phone`` (see docs/sandbox.md)."""
        res = self.http.post(f"{self.url}/sandbox/api/phones/{phone}/mode", data={"mode": mode},
                             timeout=10)
        assert res.status_code == 200, res.text

    # --- USSD, hop by hop, as AT posts it ---------------------------------------------------

    def ussd(self, phone: str, text: str, session: str) -> str:
        res = self.http.post(f"{self.url}/at/{WEBHOOK_TOKEN}/ussd", timeout=10, data={
            "sessionId": session, "serviceCode": CODE, "phoneNumber": phone,
            "networkCode": "64002", "text": text})
        assert res.status_code == 200 and res.headers["Content-Type"].startswith("text/plain")
        assert res.text.startswith(("CON ", "END ")) and len(res.text) <= 160, res.text
        return res.text

    def dial(self, phone: str, inputs: list[str], session: str | None = None) -> list[str]:
        """Dial the code and answer ``inputs`` one hop at a time; every screen seen."""
        session = session or f"ATUid_e2e{next(_sessions)}"
        screens = [self.ussd(phone, "", session)]
        for n in range(1, len(inputs) + 1):
            assert screens[-1].startswith("CON "), screens
            screens.append(self.ussd(phone, "*".join(inputs[:n]), session))
        return screens

    def report(self, *, consent: bool = False, landmark: str | None = LANDMARK,
               phone: str = REPORTER) -> str:
        """A full USSD report; returns the case number from the final screen."""
        end = self.dial(phone, report_inputs(consent=consent, landmark=landmark))[-1]
        assert end.startswith("END Asante. Taarifa imepokelewa."), end
        match = _REFERENCE.search(end)
        assert match is not None, end
        return match.group(1)

    def check_status(self, phone: str, reference: str) -> str:
        return self.dial(phone, ["3", reference])[-1]

    # --- SMS --------------------------------------------------------------------------------

    def reply_from_phone(self, phone: str, text: str) -> None:
        """Type ``text`` on the sandbox's virtual phone: posted to the inbound webhook."""
        res = self.http.post(f"{self.url}/sandbox/api/phones/{phone}/reply",
                             data={"text": text}, timeout=10)
        assert res.status_code == 200 and res.json()["ok"] is True, res.text

    def sms_from(self, phone: str, text: str, provider_id: str | None = None) -> dict[str, str]:
        """An incoming SMS posted exactly as AT posts it; returns the JSON answer."""
        provider_id = provider_id or f"ATXid_e2e{next(_sms_ids)}"
        res = self.http.post(f"{self.url}/at/{WEBHOOK_TOKEN}/sms/inbound", timeout=10, data={
            "from": phone, "to": "15000", "text": text, "date": "2026-11-29 20:00:00",
            "id": provider_id, "linkId": f"link-{provider_id}"})
        assert res.status_code == 200, res.text
        return dict(res.json())


def inbox(phone: str) -> list[str]:
    """What the virtual phone ``phone`` received, oldest first."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(SandboxMessage).where(
        SandboxMessage.phone_hash == phone_hash(phone),
        SandboxMessage.direction == Direction.TO_PHONE).order_by(SandboxMessage.id))
    return [m.text for m in rows]


def phone_forms(e164: str) -> list[str]:
    """Every way a Tanzanian number is written: +2557…, 2557…, 07… and the 9 local digits."""
    local = e164.removeprefix("+255")
    assert len(local) == 9, e164
    return [e164, e164[1:], "0" + local, local]
