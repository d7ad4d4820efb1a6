"""The USSD webhook end to end: reports, idempotency, drafts, status checks, bad requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import redis
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from app.cases.models import Case
from app.cases.reference import damm_digit
from app.cases.services import NewReport, create_case
from app.cases.status import CaseStatus
from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen
from app.clock import utcnow
from app.extensions import db
from app.privacy import phone_hash
from app.ussd import models as ussd_models
from app.ussd import store
from app.ussd.models import UssdDraft, UssdPreference, UssdSession, UssdSessionEvent
from app.ussd.services import DbProvider
from app.ussd.sessions import abandoned_by_screen
from app.ussd.tasks import purge_ussd_drafts
from app.worker.queue import connection
from tests.conftest import free_port
from tests.integration.ussd.ussd_helpers import PHONE, TOKEN, dial, find_place, keys_for


def report_path(keys: list[str], landmark: str = "Near the*market") -> str:
    """Danger now (the 112 screen), forced work, the place from the lists; then the details:
    fishing, 2-5 children, this week, a landmark, call me.

    A ``*`` typed in the landmark ends the answer (AT joins inputs with ``*``): "market"
    lands on the next screen as an invalid choice and is asked again, as on a real phone.
    """
    return "*".join(["1", "1", "2", *keys, "2", "3", "2", "2", landmark, "1"])


def cases() -> list[Case]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Case)))


def test_full_report_creates_one_case_with_every_answer(client: FlaskClient) -> None:
    place = find_place()
    path = report_path(place.keys)
    confirm = dial(client, path)
    assert confirm.mimetype == "text/plain"
    assert confirm.text.startswith("CON DHARURA: Kulazimishwa: uvuvi\n")
    assert place.ward.name[:10] in confirm.text
    done = dial(client, path + "*1")
    assert done.status_code == 200
    assert done.headers["at-ussd-hop-metadata"] == "report.done"
    [case] = cases()
    assert done.text == (f"END Asante. Taarifa imepokelewa.\nNamba ya kumbukumbu:\n{case.reference}"
                         "\nHatari sasa? Piga 112. Msaada kwa mtoto: 116 (bure).")
    assert (case.region_id, case.council_id, case.ward_id) == (
        place.region.id, place.council.id, place.ward.id)
    assert case.urgent and case.callback_consent
    assert case.category is CaseCategory.FORCED_LABOUR
    assert case.labour_kind is LabourKind.FISHING
    assert case.children is ChildrenCount.FEW and case.seen_when is SeenWhen.THIS_WEEK
    assert case.landmark == "Near the"  # '*' ends an answer on a phone keypad
    assert case.reporter_phone == PHONE
    assert PHONE not in (case.reporter_phone_enc or "") and "712345678" not in str(
        case.reporter_phone_enc)
    assert case.reporter_phone_hash == phone_hash(PHONE)
    assert case.ussd_session_id == "s-1" and case.language == "sw"


def test_full_report_by_typing_the_ward_name(client: FlaskClient) -> None:
    place = find_place()
    region_council = place.keys[: len(place.keys) - len(_ward_keys(place))]
    keys = [*region_council, place.ward.name[:4].lower()]
    found = dial(client, "*".join(["2", "1", *keys]))
    assert found.text.startswith("CON Kata zilizopatikana:\n1.")
    lines = found.text.split("\n")[1:-1]
    pick = next(line.split(".")[0] for line in lines if line.split(".", 1)[1] == place.ward.name)
    path = "*".join(["2", "1", *keys, pick, "1"])  # the essentials, then send now
    assert dial(client, path).text.startswith("END Asante.")
    [case] = cases()
    assert case.ward_id == place.ward.id and not case.urgent and case.landmark is None
    assert case.category is CaseCategory.TRANSPORTED and case.labour_kind is None
    assert not case.callback_consent and case.seen_when is SeenWhen.NOW


def test_ward_found_by_keypad_digits(client: FlaskClient) -> None:
    place = find_place()
    region_council = place.keys[: len(place.keys) - len(_ward_keys(place))]
    keypad = str.maketrans("abcdefghijklmnopqrstuvwxyz", "22233344455566677778889999")
    digits = place.ward.name[:4].lower().translate(keypad)
    found = dial(client, "*".join(["2", "1", *region_council, digits]))
    assert found.text.startswith("CON Kata zilizopatikana:\n")
    assert place.ward.name in found.text


def _ward_keys(place: Any) -> list[str]:


    return keys_for(DbProvider().items("wards", place.council.id), place.ward.id, "report.ward")


def test_same_hop_twice_gives_the_same_screen_and_one_case(client: FlaskClient) -> None:
    path = report_path(find_place().keys) + "*1"
    first, again = dial(client, path), dial(client, path)
    assert first.text == again.text and first.text.startswith("END ")
    assert len(cases()) == 1
    mid = report_path(find_place().keys)[:5]
    assert dial(client, mid).text == dial(client, mid).text


def test_a_second_session_makes_a_second_case(client: FlaskClient) -> None:
    path = report_path(find_place().keys) + "*1"
    dial(client, path, session="s-1")
    dial(client, path, session="s-2")
    assert len({c.reference for c in cases()}) == 2


def test_cancel_creates_nothing_and_drops_the_draft(client: FlaskClient) -> None:
    reply = dial(client, report_path(find_place().keys) + "*4")
    assert reply.text.startswith("END Taarifa imefutwa.")
    assert cases() == [] and db.session.query(UssdDraft).count() == 0


def test_resume_within_15_minutes_and_not_after(client: FlaskClient) -> None:
    keys = find_place().keys
    partial = "*".join(["1", "1", "2", *keys, "2", "3", "2", "2"])  # at the landmark
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert dial(client, partial, session="a").headers["at-ussd-hop-metadata"] == (
            "report.landmark")
        clock.shift(timedelta(minutes=14))
        offer = dial(client, "", session="b")
        assert offer.text == "CON Una taarifa ambayo haijakamilika.\n1.Endelea\n2.Anza upya"
        assert dial(client, "1", session="b").headers["at-ussd-hop-metadata"] == (
            "report.landmark")
        done = dial(client, "1*1*1*1", session="b")  # continue, skip, call me, send
        assert done.text.startswith("END Asante.")
        [case] = cases()
        assert case.labour_kind is LabourKind.FISHING and case.ussd_session_id == "b"
        assert db.session.query(UssdDraft).count() == 0

        dial(client, partial, session="c")
        end_session(client, "c")  # AT's notice: the caller hung up, the draft must survive
        assert db.session.query(UssdDraft).count() == 1
        clock.shift(timedelta(minutes=16))
        assert dial(client, "", session="d").text.startswith("CON Linda: ulinzi wa watoto")
        assert purge_ussd_drafts() == 1  # the draft of "c"
        assert db.session.query(UssdSession).count() == 0  # sessions live in Redis


def end_session(client: FlaskClient, session: str, status: str = "Incomplete") -> None:
    form = {"sessionId": session, "status": status, "phoneNumber": PHONE}
    assert client.post(f"/at/{TOKEN}/ussd/events", data=form).status_code == 200


def test_a_draft_outlives_redis_once_the_session_ended(client: FlaskClient) -> None:
    # danger now, go on past the call-now screen, forced work: the caller is at the place
    assert dial(client, "1*1*2", session="a").headers["at-ussd-hop-metadata"] == (
        "report.place")
    end_session(client, "a")
    connection().flushdb()  # Redis lost: sessions, drafts, cached languages
    offer = dial(client, "", session="b")
    assert offer.text == "CON Una taarifa ambayo haijakamilika.\n1.Endelea\n2.Anza upya"
    assert dial(client, "1", session="b").headers["at-ussd-hop-metadata"] == "report.place"


def test_a_finished_session_leaves_no_draft_in_the_database(client: FlaskClient) -> None:
    dial(client, "1*1*2", session="a")
    end_session(client, "a", status="Success")
    assert db.session.query(UssdDraft).count() == 0
    dial(client, "1*1*2", session="b")
    end_session(client, "b")
    assert db.session.query(UssdDraft).count() == 1
    dial(client, "", session="c")
    dial(client, "2", session="c")  # start afresh: the stored draft goes too
    db.session.expire_all()
    assert db.session.query(UssdDraft).count() == 0


def test_start_again_forgets_the_draft(client: FlaskClient) -> None:
    dial(client, "1*1*2", session="a")
    assert dial(client, "", session="b").text.startswith("CON Una taarifa")
    assert dial(client, "2", session="b").text.startswith("CON Linda:")
    db.session.expire_all()
    assert db.session.query(UssdDraft).count() == 0
    assert dial(client, "2*1", session="b").text.startswith("CON Ukiweza, piga sasa 112")


def test_a_draft_that_no_longer_decrypts_is_ignored(client: FlaskClient) -> None:
    dial(client, "1*1*2", session="a")
    end_session(client, "a")
    connection().flushdb()
    draft = db.session.get(UssdDraft, phone_hash(PHONE))
    assert draft is not None
    draft.path_enc = "v1:" + "A" * 40
    db.session.commit()
    assert dial(client, "", session="b").text.startswith("CON Linda: ulinzi")


def test_a_draft_of_an_older_menu_is_not_offered(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    dial(client, "1*1*2", session="a")
    end_session(client, "a")
    connection().flushdb()
    monkeypatch.setattr(ussd_models, "MENU_VERSION", ussd_models.MENU_VERSION + 1)  # upgraded
    # Its inputs would walk the renumbered menu to another screen: the caller starts afresh.
    assert dial(client, "", session="b").text.startswith("CON Linda: ulinzi")


def test_language_is_remembered_per_phone(client: FlaskClient) -> None:
    assert dial(client, "5*2", session="a").text.startswith("CON Linda: child protection")
    assert dial(client, "", session="b").text.startswith("CON Linda: child protection")
    assert dial(client, "", session="c", phone="+255754000111").text.startswith(
        "CON Linda: ulinzi")
    pref = db.session.get(UssdPreference, phone_hash(PHONE))
    assert pref is not None and pref.language == "en"


def test_english_report_stores_the_language(client: FlaskClient) -> None:
    path = "5*2*" + report_path(find_place().keys) + "*1"
    assert dial(client, path).text.startswith("END Thank you. Report received.")
    assert cases()[0].language == "en"


def _case(app: Flask) -> Case:
    place = find_place()
    case = create_case(NewReport(category=CaseCategory.BEGGING, council_id=place.council.id))
    db.session.commit()
    return case


def test_status_check_valid_mistyped_and_unknown(client: FlaskClient, app: Flask) -> None:
    case = _case(app)
    ref = case.reference
    assert dial(client, f"3*{ref}").text == (
        f"END Taarifa {ref} imepokelewa, inatumwa kwa maafisa. Msaada: 116, Polisi: 112.")
    mistyped = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    assert dial(client, f"3*{mistyped}", session="b").text.startswith(
        "CON Namba si sahihi, angalia tena.\nWeka namba")
    body = "999999" if ref[:6] != "999999" else "888888"
    unknown = body + str(damm_digit(body))
    assert dial(client, f"3*{unknown}", session="c").text.startswith(
        f"END Hakuna taarifa yenye namba {unknown}.")
    case.status = CaseStatus.ACCEPTED
    db.session.commit()
    assert "amepokea taarifa" in dial(client, f"3*{ref}", session="d").text


@pytest.mark.parametrize("fields", [
    {"serviceCode": "*999#"},
    {"phoneNumber": "12"},
    {"phoneNumber": ""},
    {"sessionId": ""},
    {"sessionId": "x" * 200},
    {"text": "1*" * 1500},
])
def test_bad_requests_get_the_hotline_numbers(client: FlaskClient, fields: dict[str, str]) -> None:
    reply = dial(client, **{"text": "", **fields})
    assert reply.status_code == 200 and reply.mimetype == "text/plain"
    assert reply.text.startswith("END Samahani") and "116" in reply.text and "112" in reply.text


@pytest.mark.parametrize("missing", ["sessionId", "serviceCode", "phoneNumber", "text"])
def test_missing_field_gets_the_hotline_numbers(client: FlaskClient, missing: str) -> None:
    data = {"sessionId": "s", "serviceCode": "*149*46#", "phoneNumber": PHONE, "text": ""}
    del data[missing]
    reply = client.post(f"/at/{TOKEN}/ussd", data=data)
    assert reply.status_code == 200 and reply.text.startswith("END Samahani")


def test_wrong_token_is_404(client: FlaskClient) -> None:
    assert client.post("/at/wrong/ussd", data={}).status_code == 404
    assert client.post("/at/wrong/ussd/events", data={}).status_code == 404


def test_phone_with_a_space_for_plus_is_accepted(client: FlaskClient) -> None:
    assert dial(client, "", phone=" 255712345678").text.startswith("CON Linda:")


def test_session_state_holds_no_phone_number(client: FlaskClient) -> None:
    dial(client, "2*2")
    session = store.load("s-1")
    assert session is not None and session.phone_hash == phone_hash(PHONE)
    assert session.hops == 1 and session.last_screen == "report.place"
    redis_conn = connection()
    stored = b" ".join(k + b"=" + (redis_conn.get(k) or b"")
                       for k in redis_conn.keys("linda:ussd:*"))
    assert b"712345678" not in stored and b"2*2" not in stored and b'"2", "2"' not in stored
    end_session(client, "s-1")
    draft = db.session.get(UssdDraft, phone_hash(PHONE))
    assert draft is not None and draft.path_enc.startswith("v1:") and "[" not in draft.path_enc
    assert draft.path == ["2", "2"]


def test_end_of_session_notifications_are_stored_once(client: FlaskClient) -> None:
    dial(client, "1", session="e-1")
    form = {"sessionId": "e-1", "status": "Incomplete", "phoneNumber": PHONE,
            "hopsCount": "2", "durationInMillis": "35000", "serviceCode": "*149*46#",
            "networkCode": "64002", "input": "1", "hopsMetadata": "main|report.danger"}
    for _ in range(2):
        assert client.post(f"/at/{TOKEN}/ussd/events", data=form).status_code == 200
    [event] = db.session.scalars(sa.select(UssdSessionEvent)).all()
    assert (event.status, event.last_screen, event.hops_count, event.duration_ms) == (
        "Incomplete", "report.danger", 2, 35000)
    no_meta = {"sessionId": "e-1b", "status": "Failed", "hopsCount": "many"}
    dial(client, "2*2", session="e-1b")
    assert client.post(f"/at/{TOKEN}/ussd/events", data=no_meta).status_code == 200
    assert client.post(f"/at/{TOKEN}/ussd/events", data={}).status_code == 200
    other = db.session.scalar(
        sa.select(UssdSessionEvent).where(UssdSessionEvent.session_id == "e-1b"))
    assert other is not None and other.last_screen == "report.place" and other.hops_count is None
    stored = " ".join(str(v) for v in db.session.execute(
        sa.select(UssdSessionEvent.__table__)).all())
    assert "712345678" not in stored


def test_abandoned_sessions_are_counted_by_screen(client: FlaskClient) -> None:
    for n, (status, last) in enumerate([("Incomplete", "main|report.region"),
                                        ("Incomplete", "main|report.ward"),
                                        ("Incomplete", "main|report.region"),
                                        ("Success", "main|report.done"),
                                        ("Incomplete", "")]):
        client.post(f"/at/{TOKEN}/ussd/events",
                    data={"sessionId": f"x-{n}", "status": status, "hopsMetadata": last})
    assert abandoned_by_screen() == [("report.region", 2), ("report.ward", 1), ("unknown", 1)]
    assert abandoned_by_screen(since=utcnow() + timedelta(minutes=1)) == []


def test_a_racing_duplicate_confirm_finds_the_first_case(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unique session id is the last line of defence when two hops miss each other."""
    from app.ussd import services

    path = report_path(find_place().keys) + "*1"
    first = dial(client, path)
    real = services._case_of_session
    calls: list[str] = []

    def blind_once(session_id: str) -> Case | None:
        calls.append(session_id)
        return None if len(calls) == 1 else real(session_id)

    monkeypatch.setattr(services, "_case_of_session", blind_once)
    again = dial(client, path)
    assert again.text == first.text and len(calls) == 2
    assert len(cases()) == 1


def test_report_works_with_redis_down(make_app: Callable[..., Flask]) -> None:
    down = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2,
                       socket_timeout=0.2)
    app = make_app(REDIS_CONNECTION=down)
    with app.app_context():
        client = app.test_client()
        path = report_path(find_place().keys) + "*1"
        assert dial(client, path).text.startswith("END Asante. Taarifa imepokelewa.")
        assert len(cases()) == 1


def test_every_finishing_action_of_the_menu_is_implemented() -> None:
    from app.ussd import menu, services

    assert set(services.ACTIONS) == menu.ACTION_NAMES


def test_only_a_reporter_who_agreed_to_be_called_gets_the_case_number_by_sms(
        client: FlaskClient) -> None:
    from app.sms.models import OutboundSms

    keys = find_place().keys
    dial(client, report_path(keys) + "*1", session="yes")  # the details end with "call me"
    quiet = "*".join(["2", "1", *keys, "1"])  # essentials only: no call, no SMS
    dial(client, quiet, session="no", phone="+255712000999")
    no_call = "*".join(["2", "1", *keys, "2", "1", "1", "1", "2", "1"])
    dial(client, no_call, session="no-2", phone="+255712000998")
    db.session.expire_all()
    sent = db.session.scalars(sa.select(OutboundSms)).all()
    by_ref = {c.ussd_session_id: c.reference for c in cases()}
    assert len(by_ref) == 3
    assert [(m.to, m.purpose) for m in sent] == [(PHONE, "reporter")]
    assert sent[0].body.startswith(
        f"Linda: namba ya kumbukumbu ya taarifa yako ni {by_ref['yes']}.")
