"""A reply to a coordination message ("ndiyo, nitahudhuria") is any SMS from a recipient that
no command understood; it is filed against the message and acknowledged."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from app.broadcast.services import collect_reply
from app.gsm import to_gsm7
from app.i18n import Messages
from app.referral.models import Responder
from app.referral.sms_commands import Command, Verb
from app.sms.models import InboundSms

messages: Final = Messages(Path(__file__).parent / "translations")


def text(lang: str, key: str, **params: Any) -> str:
    return to_gsm7(messages.get(lang, key, **params))


def handle(responder: Responder, command: Command, msg: InboundSms
           ) -> tuple[str, str, dict[str, Any]] | None:
    if command.verb is not Verb.UNKNOWN:
        return None
    if collect_reply(responder, msg) is None:
        return None
    return "broadcast_reply", "alert", {"body": text(responder.language, "broadcast.reply")}
