"""A report confirmed while the database is down is kept, numbered and written later, once.

The confirming hop is replayed without the database (place lists this process served before
are kept in ``LISTS_SEEN``). If it ends on the "report done" screen, the hop is sealed with
the data key into a file of its own under ``instance/spool/`` (written, fsynced, renamed: a
crash leaves the whole file or none), with a case number reserved at random from the block
kept for this (``reference.SPOOL_FROM``: no case numbered the usual way can have it), and the
reporter reads that number. When the database answers again, the reconciler and the next hops replay
each file through the normal confirming step with the reserved number, then delete it. The
case's unique ``ussd_session_id`` makes the write happen once, however often a file is
replayed or the hop repeated.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from flask import current_app

from app.cases.reference import new_spool_reference
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.matching import rank_typed
from app.i18n import DEFAULT_LANGUAGE
from app.privacy import vault
from app.ussd import menu
from app.ussd.engine import render, walk
from app.ussd.screens import End, Item
from app.ussd.services import (
    LISTS_SEEN,
    SEARCH_LIMIT,
    ActionContext,
    DbProvider,
    Hop,
    Reply,
    _case_of_session,
    _create_case,
)

log = logging.getLogger(__name__)
CONTEXT = "ussd-spool-v1"


class _NotCachedError(Exception):
    """The replay needs a list this process never loaded: it cannot go on without the DB."""


class OfflineProvider:
    """Place lists from what this process served before; nothing else."""

    def items(self, source: str, parent_id: str | None) -> Sequence[Item]:
        try:
            return LISTS_SEEN[(source, parent_id)]
        except KeyError:
            raise _NotCachedError(source) from None

    def search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]:
        if source != "wards" or parent_id is None:
            return []
        wards = self.items("wards", parent_id)
        return [wards[i] for i in rank_typed(typed, [w.label for w in wards], SEARCH_LIMIT)]

    def case_status(self, reference: str) -> str | None:
        raise _NotCachedError("cases")


def spool_dir() -> Path:
    return Path(current_app.instance_path) / "spool"


def _path(session_id: str) -> Path:
    return spool_dir() / f"{vault().blind_index(session_id, 'ussd-spool')[:40]}.report"


def answer_without_database(hop: Hop) -> Reply | None:
    """The "report done" screen with a reserved number, the hop safely spooled; or None when
    this hop is not a confirmation that can be replayed without the database."""
    inputs = hop.text.split("*") if hop.text else []
    provider = OfflineProvider()
    try:
        pos = walk(menu.graph(), inputs, provider)
    except _NotCachedError:
        return None
    screen = pos.screen
    if not (isinstance(screen, End) and screen.action == "create_case"):
        return None
    lang = pos.lang or DEFAULT_LANGUAGE
    try:
        reference = _spool(hop, lang)
    except OSError:
        log.exception("ussd report could not be spooled during a database outage")
        return None
    log.warning("database unavailable: report spooled with a reserved case number")
    rendered = render(menu.graph(), pos, menu.MESSAGES.get, lang, provider,
                      ("ussd.done", {"ref": reference}))
    return Reply(rendered.text, rendered.screen_id)


def _spool(hop: Hop, lang: str) -> str:
    path = _path(hop.session_id)
    if path.exists():  # the same confirmation again: the same number
        return str(_read(path)["reference"])
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"session_id": hop.session_id, "service_code": hop.service_code,
             "phone": hop.phone, "text": hop.text, "network_code": hop.network_code,
             "lang": lang, "reference": new_spool_reference(_spooled_references()),
             "received_at": utcnow().isoformat(), "menu": menu.MENU_VERSION}
    sealed = vault().encrypt(json.dumps(entry), CONTEXT)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("w") as out:
        out.write(sealed)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return str(entry["reference"])


def _read(path: Path) -> dict[str, str]:
    return json.loads(vault().decrypt(path.read_text(), CONTEXT))  # type: ignore[no-any-return]


def _spooled_references() -> set[str]:
    """The numbers this host has reserved and not yet written (each file says its own)."""
    refs = set()
    for path in pending():
        with contextlib.suppress(Exception):  # unreadable: replay logs it; this must not fail
            refs.add(str(_read(path)["reference"]))
    return refs


def pending() -> list[Path]:
    directory = spool_dir()
    return sorted(directory.glob("*.report")) if directory.is_dir() else []


#: (spool folder, its mtime) when it was last listed and found empty.
_seen_empty: tuple[str, int] | None = None
#: A folder changed this recently may still get a file within the same mtime tick.
_SETTLED_NS = 1_000_000_000


def anything_spooled() -> bool:
    """Whether a spooled report may wait, asked after every hop: one ``stat`` while the folder
    is unchanged since it was last listed empty (listing it cost ~0.1 ms, a twentieth of a
    hop). A folder is trusted empty only once its mtime is a second old, so a file added in
    the same mtime tick as the listing is never missed."""
    global _seen_empty
    directory = spool_dir()
    try:
        stamp = (str(directory), directory.stat().st_mtime_ns)
    except FileNotFoundError:
        return False
    if stamp == _seen_empty:
        return False
    if pending():
        return True
    if time.time_ns() - stamp[1] > _SETTLED_NS:
        _seen_empty = stamp
    return False


def replay_spool() -> int:
    """Write every spooled report whose case does not exist yet; returns how many were
    written. Each file is locked while replayed; it is deleted only after its case is
    committed (or found). A file that cannot be replayed stays, and is logged each time."""
    written = 0
    for path in pending():
        with path.open("r") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another process replays it now
            if not path.exists():
                continue
            try:
                written += _replay_one(path)
            except Exception:
                db.session.rollback()
                log.exception("spooled report %s could not be written yet; kept", path.name)
    return written


def _replay_one(path: Path) -> int:
    entry = _read(path)
    spooled_under = int(entry.get("menu", 1))
    if spooled_under != menu.MENU_VERSION:  # its inputs would walk another menu: kept, logged
        raise ValueError(f"spooled under menu version {spooled_under}, this release walks "
                         f"{menu.MENU_VERSION}: replay it with the release that spooled it")
    if _case_of_session(entry["session_id"]) is None:
        hop = Hop(entry["session_id"], entry["service_code"], entry["phone"], entry["text"],
                  entry.get("network_code"))
        provider = DbProvider()
        pos = walk(menu.graph(), hop.text.split("*") if hop.text else [], provider)
        if not (isinstance(pos.screen, End) and pos.screen.action == "create_case"):
            raise ValueError("the spooled menu path no longer ends on a confirmation")
        _create_case(ActionContext(pos, provider, hop, entry["lang"], entry["reference"]))
        db.session.commit()
        log.warning("spooled report written after the database came back")
        written = 1
    else:
        db.session.rollback()
        written = 0
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return written
