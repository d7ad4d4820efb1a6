"""One USSD hop: replay the caller's inputs, run a finishing action, keep drafts and events.

Everything a hop needs is in the database (Redis is never touched here), and nothing calls an
outside service: a hop answers in milliseconds, and the case it creates is handed to referral
through ``case_created`` after commit. Services flush; the view commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.cases.models import Case
from app.cases.services import CaseInputError, NewReport, create_case, find_by_reference
from app.cases.status import PUBLIC_STATUS
from app.cases.vocabulary import CaseCategory, CaseSource, ChildrenCount, SeenWhen
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.cache import Listed, Places, cached_places
from app.gsm import to_gsm7
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.phone import InvalidPhoneError, normalise_phone
from app.privacy import DecryptionError, mask_phone, phone_hash
from app.ussd import menu, store
from app.ussd.engine import render, walk
from app.ussd.models import draft_context, open_path, seal_path, session_draft_context
from app.ussd.screens import End, Item, Position
from app.ussd.store import DRAFT_TTL, SESSION_TTL, SessionState
from app.web.security import bad_field

log = logging.getLogger(__name__)

MAX_TEXT = 2000
SEARCH_LIMIT = 6


class HopError(ValueError):
    """A hop that cannot be served (missing field, unknown code, bad phone number)."""


@dataclass(frozen=True)
class Hop:
    """One USSD request from Africa's Talking, validated."""

    session_id: str
    service_code: str
    phone: str  # E.164
    text: str
    network_code: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, str], service_code: str) -> Hop:
        """Parse AT's form fields.

        Raises:
            HopError: a field is missing or wrong; the message names it.
        """
        for name in ("sessionId", "serviceCode", "phoneNumber", "text"):
            if name not in form:
                raise HopError(f"missing field {name}")
        bad = bad_field(form, multiline=())
        if bad is not None:
            raise HopError(f"{bad} contains a control character")
        session_id = form["sessionId"].strip()
        if not session_id or len(session_id) > 128:
            raise HopError("sessionId is empty or longer than 128 characters")
        if form["serviceCode"].strip() != service_code:
            raise HopError("unknown serviceCode")
        raw_phone = form["phoneNumber"]
        if raw_phone[:1] == " " and raw_phone[1:2].isdigit():
            raw_phone = "+" + raw_phone[1:]  # an unencoded '+' decoded as a space
        try:
            phone = normalise_phone(raw_phone)
        except InvalidPhoneError:
            raise HopError("phoneNumber is not a valid phone number") from None
        text = form["text"]
        if len(text) > MAX_TEXT:
            raise HopError(f"text is longer than {MAX_TEXT} characters")
        return cls(session_id, form["serviceCode"].strip(), phone, text,
                   form.get("networkCode") or None)


@dataclass(frozen=True)
class Reply:
    """What the webhook answers: ``CON …``/``END …`` and the screen id for hop metadata."""

    text: str
    screen_id: str

    @property
    def end(self) -> bool:
        return self.text.startswith("END ")


#: Every place list this process has served (the gazetteer only changes at a deploy):
#: ``app/ussd/outage.py`` replays a report's menu from it while the database is down.
LISTS_SEEN: dict[tuple[str, str | None], list[Item]] = {}


class DbProvider:
    """The engine's read-only data: the places from this process's cached copy (read again
    when ``linda gazetteer load`` changes them), case statuses from the database.

    A search is remembered for the life of this provider (one hop or one SMS): ``walk``
    replays the path, so the same typed name is searched again on each step."""

    def __init__(self) -> None:
        # One hop replays every earlier input, so a typed name is searched again on each
        # screen after it: keep the answer for this hop (one provider per hop).
        self._cache: dict[tuple[str, str | None], list[Item]] = {}
        self._places: Places | None = None

    def places(self) -> Places:
        """The cached places, checked once per hop (``walk`` asks for lists many times)."""
        if self._places is None:
            self._places = cached_places()
        return self._places

    def items(self, source: str, parent_id: str | None) -> Sequence[Item]:
        found = _items(self.places(), source, parent_id)
        LISTS_SEEN[(source, parent_id)] = list(found)  # for a confirmation while the DB is down
        return found

    def search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]:
        key = (f"search:{source}:{typed}", parent_id)
        if key not in self._cache:
            self._cache[key] = list(self._search(source, parent_id, typed))
        return self._cache[key]

    def _search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]:
        from app.gazetteer.matching import rank_typed
        from app.gazetteer.places import search_places

        if source == "places":
            return [Item(p.ward_id or p.council_id, to_gsm7(p.label), sets=(
                ("region", p.region_id), ("council", p.council_id), ("ward", p.ward_id),
                ("region_label", None), ("council_label", None), ("ward_label", None),
                ("place_label", to_gsm7(p.label)))) for p in search_places(typed)]
        if source in ("regions", "councils"):
            items = self.items(source, parent_id)
            return [items[i] for i in rank_typed(typed, [i.label for i in items], SEARCH_LIMIT)]
        if source != "wards" or parent_id is None:
            return []
        return [Item(w.id, to_gsm7(w.label))
                for w in self.places().search_wards(parent_id, typed, SEARCH_LIMIT)]

    def case_status(self, reference: str) -> str | None:
        case = find_by_reference(reference)
        return None if case is None else PUBLIC_STATUS[case.status]


@lru_cache(maxsize=512)
def _items(places: Places, source: str, parent_id: str | None) -> tuple[Item, ...]:
    """A list as menu items, GSM-7 labels made once per copy of the places."""
    if source == "regions":
        listed: Sequence[Listed] = places.regions
    elif parent_id is None:
        return ()
    elif source == "councils":
        listed = places.councils.get(parent_id, ())
    elif source == "wards":
        listed = places.wards.get(parent_id, ())
    else:
        raise ValueError(f"unknown list {source!r}")
    return tuple(Item(p.id, to_gsm7(p.label), short=None if p.short is None else to_gsm7(p.short))
                 for p in listed)


@dataclass(frozen=True)
class ActionContext:
    pos: Position
    provider: DbProvider
    hop: Hop
    lang: str
    reference: str | None = None  # reserved while the database was down (app/ussd/outage.py)


def _check_status(ctx: ActionContext) -> tuple[str, dict[str, str]]:
    """A case number lookup, at most STATUS_CHECKS_PER_PHONE_PER_HOUR per phone: about
    1,000,000 numbers are valid, and one phone once tried 200 of them in 1.6 s."""
    from app.web.limits import allow

    limit = current_app.config["STATUS_CHECKS_PER_PHONE_PER_HOUR"]
    if not allow("status", phone_hash(ctx.hop.phone), limit, 3600):
        return menu.STATUS_LIMITED, {"ref": str(ctx.pos.answers.get("reference", ""))}
    return menu.check_status(ctx.pos, ctx.provider)


def _create_case(ctx: ActionContext) -> tuple[str, dict[str, str]]:
    """Create the reported case once per session; a repeated hop shows the same number."""
    existing = _case_of_session(ctx.hop.session_id)
    if existing is not None:
        return "ussd.done", {"ref": existing.reference}
    a = ctx.pos.answers
    report = NewReport(
        category=a.get("category", CaseCategory.OTHER),
        labour_kind=a.get("labour_kind"),
        council_id=str(a.get("council")),
        ward_id=a.get("ward"),
        urgent=bool(a.get("urgent")),
        children=a.get("children", ChildrenCount.UNKNOWN),
        seen_when=a.get("seen_when", SeenWhen.NOW),
        landmark=a.get("landmark"),
        callback_consent=bool(a.get("callback_consent")),
        reporter_phone=ctx.hop.phone,
        language=ctx.lang,
        source=CaseSource.USSD,
        ussd_session_id=ctx.hop.session_id,
        reference=ctx.reference,
    )
    try:
        with db.session.begin_nested():
            case = create_case(report)
    except IntegrityError:
        # The same confirming hop arrived twice at once; the other request made the case.
        case = _case_of_session(ctx.hop.session_id)  # type: ignore[assignment]
        if case is None:
            raise
    log.info("ussd case %s created from %s", case.reference, mask_phone(ctx.hop.phone))
    if case.callback_consent:
        # Only to a reporter who agreed to be called: an SMS could expose anybody else.
        from app.sms.services import queue_sms

        queue_sms(ctx.hop.phone, menu.MESSAGES.get(ctx.lang, menu.CASE_SMS, ref=case.reference),
                  purpose="reporter", ref_kind="case", ref_id=case.id)
    return "ussd.done", {"ref": case.reference}


def _case_of_session(session_id: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.ussd_session_id == session_id))


ACTIONS: Mapping[str, Callable[[ActionContext], tuple[str, dict[str, str]]]] = {
    "create_case": _create_case,
    "check_status": _check_status,
}


def handle_hop(hop: Hop) -> Reply:
    """Answer one hop. The same ``(sessionId, text)`` always gives the same screen.

    The session's state comes from ``store`` (Redis; the database when Redis fails); the
    database is written only for what must survive: the confirmed case, a language choice,
    a draft dropped.

    Raises:
        CaseInputError: the answers name a place that does not exist (never from the menus).
    """
    now = utcnow()
    phash = phone_hash(hop.phone)
    session = _session(hop, phash, now)
    inputs = hop.text.split("*") if hop.text else []
    provider = DbProvider()
    pos = walk(menu.graph(), inputs, provider, draft=_opened(lambda: _pinned(session)))
    lang = pos.lang or session.language
    outcome = None
    screen = pos.screen
    if isinstance(screen, End) and screen.action is not None:
        outcome = ACTIONS[screen.action](ActionContext(pos, provider, hop, lang))
    rendered = render(menu.graph(), pos, menu.MESSAGES.get, lang, provider, outcome)

    new_language = None
    if pos.lang in LANGUAGES and pos.lang != session.language:
        new_language = session.language = pos.lang
    keep, drop = _draft_change(session, phash, pos)
    session.hops += 1
    session.last_screen = rendered.screen_id
    store.save(session, now, keep_draft=keep, drop_draft=drop, new_language=new_language)
    return Reply(rendered.text, rendered.screen_id)


def unavailable_reply(lang: str = DEFAULT_LANGUAGE) -> Reply:
    """The END screen for a request that cannot be served: the hotline numbers."""
    return Reply("END " + menu.MESSAGES.get(lang, menu.UNAVAILABLE), "unavailable")


def _session(hop: Hop, phash: str, now: datetime) -> SessionState:
    if hop.text == "":  # AT's first hop of a session: one Redis round trip for everything
        state, phone = store.open_session(hop.session_id, phash, now)
    else:
        state, phone = store.load(hop.session_id), None
    if state is not None:
        return state
    language, draft = phone if phone is not None else store.first_hop(phash, now)
    state = SessionState(hop.session_id, phash, language or DEFAULT_LANGUAGE,
                         started_at=now.timestamp(), has_draft=draft is not None)
    # Only a fresh dial may be offered to continue a draft; the offer is pinned to the
    # session, so its later hops replay to the same screens.
    if hop.text == "" and draft is not None and draft.session_id != hop.session_id:
        path = _opened(lambda: open_path(draft.path_enc, draft_context(phash)))
        if path is not None:
            state.draft = seal_path(path, session_draft_context(hop.session_id))
    return state


def _pinned(session: SessionState) -> list[str] | None:
    if session.draft is None:
        return None
    return open_path(session.draft, session_draft_context(session.session_id))


def _opened(read: Callable[[], list[str] | None]) -> list[str] | None:
    """A sealed draft, or None when it no longer opens (e.g. after a key change): the caller
    then simply starts afresh instead of meeting an error."""
    try:
        return read()
    except DecryptionError:
        log.warning("a ussd draft could not be decrypted and was ignored")
        return None


def _draft_change(session: SessionState, phash: str, pos: Position) -> tuple[str | None, bool]:
    """The sealed path to keep of an unfinished report, or whether to drop the draft
    (finished, cancelled or restarted); nothing when nothing changed."""
    if pos.screen.id in menu.REPORT_SCREENS:
        session.has_draft = True
        return seal_path(pos.path, draft_context(phash)), False
    finished = isinstance(pos.screen, End) and pos.screen.id.startswith("report.")
    if session.has_draft is not False and (pos.resumed is False or finished):
        session.has_draft = False
        return None, True
    return None, False


__all__ = ["DRAFT_TTL", "SESSION_TTL", "CaseInputError", "Hop", "HopError", "Reply",
           "handle_hop"]
