"""Sandbox services: accept sends, keep virtual phones, record replies. Callers commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.phone import InvalidPhoneError, normalise_phone
from app.privacy import phone_hash
from app.sandbox import at
from app.sandbox.at import PhoneMode
from app.sandbox.models import Direction, SandboxMessage, SandboxPhone
from app.sandbox.schedule import schedule_delivery_report

#: How many messages per phone the page shows.
PAGE_MESSAGES = 30


def is_enabled(app: Flask) -> bool:
    """Only on a laptop or in tests, and only without any AT credential: it has no login and
    answers as AT, so it must never stand beside a real account or serve in production."""
    if app.config.get("LINDA_ENV") not in ("development", "testing"):
        return False
    return not (app.config.get("AT_USERNAME") or app.config.get("AT_API_KEY"))


def check_credentials(username: str | None, api_key: str | None) -> bool:
    """Any non-empty key passes, unless an AT account is configured: then it must match."""
    if not api_key:
        return False
    expected_key = current_app.config.get("AT_API_KEY")
    expected_user = current_app.config.get("AT_USERNAME")
    if expected_key and api_key != expected_key:
        return False
    return not (expected_user and username and username != expected_user)


def parse_phone(raw: str) -> str:
    """E.164 from any form a person types; the sandbox takes numbers of any country.

    Raises:
        InvalidPhoneError: not a phone number.
    """
    return normalise_phone(raw)


def find_phone(number: str) -> SandboxPhone | None:
    return db.session.scalar(sa.select(SandboxPhone).where(
        SandboxPhone.number_hash == phone_hash(number)))


def ensure_phone(number: str) -> SandboxPhone:
    """The virtual phone of ``number``, created on first use (safe against a parallel insert)."""
    phone = find_phone(number)
    if phone is not None:
        return phone
    try:
        with db.session.begin_nested():
            phone = SandboxPhone.compose(number)
            db.session.add(phone)
    except IntegrityError:
        phone = find_phone(number)
        if phone is None:  # pragma: no cover - the conflicting row vanished again
            raise
    return phone


def set_mode(number: str, mode: PhoneMode) -> SandboxPhone:
    phone = ensure_phone(number)
    phone.mode = mode
    return phone


def modes_of(numbers: list[str]) -> dict[str, PhoneMode]:
    """The mode of each number; a number never seen is normal."""
    hashes = {phone_hash(n): n for n in numbers}
    rows = db.session.execute(sa.select(SandboxPhone.number_hash, SandboxPhone.mode).where(
        SandboxPhone.number_hash.in_(list(hashes)))).all()
    found = {hashes[h]: mode for h, mode in rows}
    return {n: found.get(n, PhoneMode.NORMAL) for n in numbers}


def _valid_numbers(req: at.SendRequest) -> dict[str, str | None]:
    """Each recipient as written → its E.164 form, or None when AT would call it invalid."""
    out: dict[str, str | None] = {}
    for raw in req.recipients:
        try:
            out[raw] = normalise_phone(raw) if raw.startswith("+") else None
        except InvalidPhoneError:
            out[raw] = None
    return out


def throttled_numbers(req: at.SendRequest) -> list[str]:
    """Recipients whose phone is set to throttle: they make AT refuse the whole request."""
    numbers = [n for n in _valid_numbers(req).values() if n]
    return [n for n, mode in modes_of(numbers).items() if mode is PhoneMode.THROTTLE]


def wants_timeout(req: at.SendRequest) -> bool:
    numbers = [n for n in _valid_numbers(req).values() if n]
    return any(mode is PhoneMode.TIMEOUT for mode in modes_of(numbers).values())


def record_throttled(req: at.SendRequest, numbers: list[str]) -> None:
    """Show the refused attempt on each throttling phone, so retries can be seen."""
    for number in numbers:
        ensure_phone(number).last_activity_at = utcnow()
        db.session.add(SandboxMessage.compose(
            number, req.message, direction=Direction.TO_PHONE, sender=req.sender,
            status_code=429, status="Throttled", parts=at.message_parts(req.message)))


def accept_send(req: at.SendRequest, callback_base_url: str) -> dict[str, Any]:
    """Store one message per recipient and schedule its delivery report; return AT's answer."""
    numbers = _valid_numbers(req)
    modes = modes_of([n for n in numbers.values() if n])
    parts = at.message_parts(req.message)
    delay = timedelta(seconds=current_app.config["SANDBOX_DLR_DELAY_SECONDS"])
    entries = []
    for raw, number in numbers.items():
        if number is None:
            entries.append(at.recipient_entry(raw, at.INVALID_NUMBER, parts, None))
            continue
        outcome = at.OUTCOMES[modes[number]]
        phone = ensure_phone(number)
        phone.last_activity_at = utcnow()
        msg = SandboxMessage.compose(
            number, req.message, direction=Direction.TO_PHONE, sender=req.sender,
            status_code=outcome.status_code, status=outcome.status, parts=parts,
            delivery=outcome.delivery, failure_reason=outcome.failure_reason,
            callback_base_url=callback_base_url if outcome.delivery else None)
        if outcome.delivery:
            msg.callback_due_at = msg.created_at + delay
        db.session.add(msg)
        db.session.flush()
        if outcome.delivery:
            schedule_delivery_report(msg)
        entries.append(at.recipient_entry(number, outcome, parts, msg.provider_id))
    return at.send_response(entries)


def record_reply(number: str, text: str, shortcode: str) -> SandboxMessage:
    """Store an SMS typed on a virtual phone; the caller commits, then posts it to Linda."""
    phone = ensure_phone(number)
    phone.last_activity_at = utcnow()
    msg = SandboxMessage.compose(number, text, direction=Direction.FROM_PHONE, sender=shortcode,
                                 status="Sending", parts=at.message_parts(text))
    db.session.add(msg)
    db.session.flush()
    return msg


def inbound_form(msg: SandboxMessage) -> dict[str, str]:
    """The form AT posts to the incoming-messages callback for this reply."""
    return {"from": msg.phone, "to": msg.sender or at.DEFAULT_SHORTCODE, "text": msg.text,
            "date": msg.created_at.strftime("%Y-%m-%d %H:%M:%S"), "id": msg.provider_id,
            "linkId": f"SandboxLinkId_{msg.uid}", "networkCode": at.NETWORK_CODE}


def inbox(last_received_id: int) -> list[dict[str, Any]]:
    """Replies after ``last_received_id``, in the shape of AT's fetch-messages answer."""
    rows = db.session.scalars(sa.select(SandboxMessage).where(
        SandboxMessage.direction == Direction.FROM_PHONE,
        SandboxMessage.id > last_received_id).order_by(SandboxMessage.id).limit(100))
    return [{"id": m.id, "linkId": f"SandboxLinkId_{m.uid}", "text": m.text,
             "to": m.sender, "from": m.phone, "date": m.created_at.isoformat()} for m in rows]


def describe(msg: SandboxMessage) -> str:
    """The delivery state of a message in a few words, for the page."""
    if msg.direction is Direction.FROM_PHONE:
        if msg.callback_result is None:
            return "sending to Linda…"
        return f"sent to Linda, answer {msg.callback_result}"
    if msg.status_code == 429:
        return "refused: HTTP 429 (throttle mode)"
    if msg.delivery is None:
        if msg.status_code in at.ACCEPTED_CODES:
            return "accepted; no delivery report will come (silent mode)"
        return f"refused: {msg.status_code} {msg.status}"
    state = "delivered" if msg.delivery == "Success" else f"not delivered ({msg.failure_reason})"
    if msg.callback_done_at is not None:
        return f"{state}; report → Linda {msg.callback_result}"
    if msg.callback_result:
        return f"{state}; report not taken yet: {msg.callback_result}"
    return f"accepted; delivery report ({msg.delivery}) pending"


def phones_view() -> list[dict[str, Any]]:
    """Every virtual phone, most recently active first, with its latest messages."""
    phones = db.session.scalars(sa.select(SandboxPhone).order_by(
        SandboxPhone.last_activity_at.desc(), SandboxPhone.id.desc()).limit(100)).all()
    out = []
    for phone in phones:
        rows = db.session.scalars(sa.select(SandboxMessage).where(
            SandboxMessage.phone_hash == phone.number_hash).order_by(
            SandboxMessage.id.desc()).limit(PAGE_MESSAGES))
        out.append({
            "number": phone.number, "mode": phone.mode.value,
            "messages": [{"id": m.id, "direction": m.direction.value, "text": m.text,
                          "at": m.created_at.isoformat(timespec="seconds"),
                          "parts": m.parts, "state": describe(m)} for m in rows],
        })
    return out
