"""Coordination messages: who a message reaches, what it costs, sending it at a steady rate
through the outbox, and what came back. Services flush; callers commit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

import sqlalchemy as sa
from flask import current_app

from app.broadcast.models import Broadcast, BroadcastRecipient, BroadcastReply
from app.clock import utcnow
from app.extensions import db
from app.gazetteer import services as gz
from app.gsm import sms_segments, to_gsm7
from app.referral.models import Responder
from app.referral.roles import ResponderRole, parse_role
from app.sms.models import InboundSms, OutboundSms
from app.sms.services import queue_sms
from app.staff.services import audit

#: Longest message: three SMS (3 × 153 GSM-7 characters).
MAX_SEGMENTS: Final = 3
#: Replies from a recipient within this long are collected against the message.
REPLY_WINDOW: Final = timedelta(days=14)


class BroadcastInputError(ValueError):
    """The audience or a text cannot be used; the message says what and how to fix it."""


@dataclass(frozen=True)
class Audience:
    roles: tuple[ResponderRole, ...]
    region_ids: tuple[str, ...] = ()  # whole regions
    council_ids: tuple[str, ...] = ()  # whole councils (wards and council-wide responders)
    ward_ids: tuple[str, ...] = ()


@dataclass
class Preview:
    """What a send would do, shown before it is confirmed."""

    recipients: list[Responder] = field(default_factory=list)
    by_language: dict[str, int] = field(default_factory=dict)
    segments_each: dict[str, int] = field(default_factory=dict)
    segments: int = 0
    skipped_off_duty: int = 0
    skipped_unconfirmed: int = 0


def audience(roles: list[str], regions: list[str], councils: list[str] = (),  # type: ignore[assignment]
             wards: list[str] = ()) -> Audience:  # type: ignore[assignment]
    """Resolve names as the CSV importers do. A council narrows its region; a ward its council.

    Raises:
        BroadcastInputError: no role or region, or a name that is unknown or ambiguous.
    """
    if not roles:
        raise BroadcastInputError("give at least one --role (e.g. social_welfare)")
    if not regions:
        raise BroadcastInputError("give at least one --region (e.g. Mbeya)")
    try:
        parsed = tuple(dict.fromkeys(parse_role(r) for r in roles))
        found = [gz.require_region(name) for name in regions]
        council_rows = [_council(found, name) for name in councils]
        ward_rows = [_ward(council_rows, name) for name in wards]
    except (ValueError, gz.GazetteerLookupError) as exc:
        raise BroadcastInputError(str(exc)) from None
    narrowed_councils = {w.council_id for w in ward_rows}
    narrowed_regions = {c.region_id for c in council_rows}
    return Audience(
        roles=parsed,
        region_ids=tuple(r.id for r in found if r.id not in narrowed_regions),
        council_ids=tuple(c.id for c in council_rows if c.id not in narrowed_councils),
        ward_ids=tuple(w.id for w in ward_rows))


def _council(regions: list, name: str):  # type: ignore[no-untyped-def]
    errors = []
    for region in regions:
        try:
            return gz.find_council(region, name)
        except gz.GazetteerLookupError as exc:
            errors.append(str(exc))
    raise BroadcastInputError(f"council {name!r} is in none of the regions given: "
                              f"{errors[0] if errors else ''}")


def _ward(councils: list, name: str):  # type: ignore[no-untyped-def]
    if not councils:
        raise BroadcastInputError(f"ward {name!r} needs its --council")
    for council in councils:
        try:
            return gz.find_ward(council, name)
        except gz.GazetteerLookupError:
            continue
    raise BroadcastInputError(f"ward {name!r} is in none of the councils given")


def _in_audience(r: Responder, aud: Audience) -> bool:
    if r.role not in aud.roles:
        return False
    return (r.region_id in aud.region_ids or (r.council_id in aud.council_ids)
            or (r.ward_id is not None and r.ward_id in aud.ward_ids))


def texts_for(text_sw: str, text_en: str) -> dict[str, str]:
    """Both texts folded to GSM-7 and checked against ``MAX_SEGMENTS``.

    Raises:
        BroadcastInputError: a text is empty or longer than three SMS.
    """
    out = {}
    for lang, raw in (("sw", text_sw), ("en", text_en)):
        folded = to_gsm7(" ".join((raw or "").split()))
        if not folded:
            raise BroadcastInputError(f"the {lang} text is empty: give --{lang} TEXT")
        if sms_segments(folded) > MAX_SEGMENTS:
            raise BroadcastInputError(
                f"the {lang} text is {len(folded)} characters, more than {MAX_SEGMENTS} SMS "
                f"({MAX_SEGMENTS * 153}); shorten it")
        out[lang] = folded
    return out


def preview(aud: Audience, text_sw: str, text_en: str) -> Preview:
    """Who would get it (on duty and confirmed), in which language, at what cost."""
    texts = texts_for(text_sw, text_en)
    result = Preview(segments_each={lang: sms_segments(t) for lang, t in texts.items()})
    rows = db.session.scalars(sa.select(Responder).where(Responder.role.in_(aud.roles))
                              .order_by(Responder.id)).all()
    for r in rows:
        if not _in_audience(r, aud):
            continue
        if not r.confirmed:
            result.skipped_unconfirmed += 1
        elif not r.on_duty:
            result.skipped_off_duty += 1  # sent ACHA/STOP
        else:
            result.recipients.append(r)
    counts = Counter(_language(r) for r in result.recipients)
    result.by_language = {lang: counts.get(lang, 0) for lang in ("sw", "en")}
    result.segments = sum(result.segments_each[lang] * n for lang, n in counts.items())
    return result


def _language(r: Responder) -> str:
    return r.language if r.language in ("sw", "en") else "sw"


def send(aud: Audience, text_sw: str, text_en: str, *, actor: str) -> tuple[Broadcast, Preview]:
    """Queue one SMS per recipient in their language, spaced at ``BROADCAST_PER_MINUTE``."""
    texts = texts_for(text_sw, text_en)
    plan = preview(aud, text_sw, text_en)
    if not plan.recipients:
        raise BroadcastInputError("nobody on duty and confirmed matches these roles and places")
    # The texts are sealed to created_at: set it first, and never again.
    message = Broadcast(created_at=utcnow(), text_sw=texts["sw"], text_en=texts["en"],
                        roles=[r.value for r in aud.roles], region_ids=list(aud.region_ids),
                        council_ids=list(aud.council_ids), ward_ids=list(aud.ward_ids),
                        actor=actor, recipients=len(plan.recipients), segments=plan.segments,
                        skipped_off_duty=plan.skipped_off_duty,
                        skipped_unconfirmed=plan.skipped_unconfirmed)
    db.session.add(message)
    db.session.flush()
    gap = 60.0 / current_app.config["BROADCAST_PER_MINUTE"]
    start = utcnow()
    for i, r in enumerate(plan.recipients):
        lang = _language(r)
        row = BroadcastRecipient(broadcast_id=message.id, responder_id=r.id, language=lang,
                                 segments=plan.segments_each[lang])
        db.session.add(row)
        db.session.flush()
        row.sms_id = queue_sms(r.phone, texts[lang], purpose="broadcast",
                               ref_kind="broadcast", ref_id=row.id,
                               not_before=start + timedelta(seconds=i * gap)).id
    audit(actor, "broadcast.send", "broadcast", message.id, roles=message.roles,
          regions=message.region_ids, councils=message.council_ids, wards=message.ward_ids,
          recipients=message.recipients, segments=message.segments,
          skipped_off_duty=message.skipped_off_duty,
          skipped_unconfirmed=message.skipped_unconfirmed)
    return message, plan


def delivery(broadcast_id: int) -> dict[str, int]:
    """How many copies are in each outbox status (queued, submitted, delivered, failed…)."""
    rows = db.session.execute(
        sa.select(OutboundSms.status, sa.func.count(OutboundSms.id))
        .join(BroadcastRecipient, BroadcastRecipient.sms_id == OutboundSms.id)
        .where(BroadcastRecipient.broadcast_id == broadcast_id)
        .group_by(OutboundSms.status)).all()
    return {status.value: n for status, n in rows}


def replies(broadcast_id: int) -> list[tuple[Responder, InboundSms]]:
    rows = db.session.execute(
        sa.select(Responder, InboundSms)
        .join(BroadcastReply, BroadcastReply.responder_id == Responder.id)
        .join(InboundSms, InboundSms.id == BroadcastReply.inbound_sms_id)
        .where(BroadcastReply.broadcast_id == broadcast_id).order_by(BroadcastReply.id)).all()
    return [(r, m) for r, m in rows]


def collect_reply(responder: Responder, msg: InboundSms) -> Broadcast | None:
    """File a message no command understood as a reply to the newest coordination message
    this responder received within ``REPLY_WINDOW``; None when there is none."""
    row = db.session.execute(
        sa.select(BroadcastRecipient, Broadcast)
        .join(Broadcast, Broadcast.id == BroadcastRecipient.broadcast_id)
        .where(BroadcastRecipient.responder_id == responder.id,
               Broadcast.created_at >= utcnow() - REPLY_WINDOW)
        .order_by(Broadcast.id.desc()).limit(1)).first()
    if row is None:
        return None
    message = row[1]
    db.session.add(BroadcastReply(broadcast_id=message.id, responder_id=responder.id,
                                  inbound_sms_id=msg.id, received_at=utcnow()))
    audit(f"responder:{responder.id}", "broadcast.reply", "broadcast", message.id)
    return message
