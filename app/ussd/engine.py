"""A pure USSD interpreter: screens are data, and one function replays the inputs.

Africa's Talking resends the whole input path on every hop (``text`` joined by ``*``), so
``walk`` replays it from the first screen: no session store is needed to know where a caller
is, and the same ``(sessionId, text)`` always lands on the same screen. ``0`` goes back one
screen, ``00`` to the main menu. Nothing here touches Flask, the database or the clock; the
lists a screen shows come from a read-only ``Provider`` passed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

BACK, HOME = "0", "00"
SKIP_KEY, MORE_KEY = "8", "9"
#: Keys no option may use: navigation, and what telcos reserve for their own paging.
RESERVED_KEYS = frozenset({BACK, HOME, "98", "99"})
PAGE_MAX_ITEMS = 7
#: Characters of numbered lines one list page may use ("3.Kondoa (TC)\n" counts 14).
ITEM_BUDGET = 72
#: Place names are cut to this length on screens, so a list page always has room.
LABEL_CAP = 26
MAX_INPUTS = 120
SEARCH_MIN_DIGITS = 3

ERR_CHOICE = "ussd.err.choice"
ERR_NO_MATCH = "ussd.err.no_match"
NAV_BACK, NAV_MORE = "ussd.nav.back", "ussd.nav.more"

TextFn = Callable[..., str]  # (lang, key, **params) -> text


class InvalidInputError(ValueError):
    """An answer was refused; ``key`` is the message that explains why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Item:
    """One entry of a dynamic list: a region, council or ward."""

    id: str
    label: str


class Provider(Protocol):
    """Read-only data the menus show. Implemented over the database in ``services``."""

    def items(self, source: str, parent_id: str | None) -> Sequence[Item]: ...

    def search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]: ...

    def case_status(self, reference: str) -> str | None: ...


@dataclass(frozen=True)
class Option:
    """A numbered choice. ``sets`` are answers it records; ``lang`` switches the language;
    ``replay`` (resume screen only) continues the caller's unfinished report."""

    key: str
    label: str
    goto: str
    sets: tuple[tuple[str, Any], ...] = ()
    lang: str | None = None
    replay: bool = False


@dataclass(frozen=True)
class Menu:
    id: str
    prompt: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Confirm:
    """A menu whose prompt is a summary of the answers (``summary`` builds its parameters).

    ``samples`` hold worst-case answers, used to prove the screen fits in every language."""

    id: str
    prompt: str
    options: tuple[Option, ...]
    summary: Callable[[Mapping[str, Any], TextFn, str], dict[str, str]]
    samples: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Ask:
    """A free answer, cleaned by ``clean`` (raises ``InvalidInputError``). ``skip_key``
    records None instead; ``errors`` lists every message ``clean`` may raise."""

    id: str
    prompt: str
    field: str
    clean: Callable[[str], Any]
    goto: str
    skip_key: str | None = None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pick:
    """A paginated dynamic list. ``parent`` names the answer holding the parent id;
    ``search_prompt`` lets the caller type first letters; ``skip_label`` offers "don't
    know"; ``budget`` is the room for numbered lines (more when the prompt is short)."""

    id: str
    prompt: str
    field: str
    source: str
    goto: str
    parent: str | None = None
    search_prompt: str | None = None
    skip_label: str | None = None
    budget: int = ITEM_BUDGET


@dataclass(frozen=True)
class End:
    """The last screen. ``action`` names a finishing action whose result picks one of
    ``message`` and ``variants`` and fills ``{ref}``."""

    id: str
    message: str
    action: str | None = None
    variants: tuple[str, ...] = ()


Screen = Menu | Confirm | Ask | Pick | End


@dataclass(frozen=True)
class MenuGraph:
    screens: Mapping[str, Screen]
    root: str
    resume: str


@dataclass(frozen=True)
class Frame:
    """One step of the path: a screen, the answers on arrival, the list page or search."""

    screen: str
    answers: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    page: int = 0
    results: tuple[Item, ...] | None = None


@dataclass(frozen=True)
class Position:
    """Where the inputs lead: the screen, what was answered, and the last error if any."""

    screen: Screen
    frame: Frame
    answers: Mapping[str, Any]
    error: str | None
    lang: str | None
    path: tuple[str, ...]  # the inputs from the main menu that lead here (for drafts)
    resumed: bool | None  # True continued a draft, False started again, None not asked


@dataclass(frozen=True)
class Rendered:
    text: str  # with the CON / END prefix
    end: bool
    screen_id: str


def paginate(labels: Sequence[str], budget: int = ITEM_BUDGET) -> list[range]:
    """Split a list into pages that fit ``budget``; the split never depends on language."""
    pages: list[range] = []
    start, used = 0, 0
    for i, label in enumerate(labels):
        cost = len(_cap(label)) + 3
        if i > start and (used + cost > budget or i - start >= PAGE_MAX_ITEMS):
            pages.append(range(start, i))
            start, used = i, 0
        used += cost
    pages.append(range(start, len(labels)))
    return pages


def _cap(label: str) -> str:
    return label if len(label) <= LABEL_CAP else label[: LABEL_CAP - 1].rstrip() + "."


def _with(answers: Mapping[str, Any], updates: Iterable[tuple[str, Any]]) -> Mapping[str, Any]:
    merged = dict(answers)
    merged.update(updates)
    return MappingProxyType(merged)


def walk(graph: MenuGraph, inputs: Sequence[str], provider: Provider,
         draft: Sequence[str] | None = None) -> Position:
    """Replay ``inputs`` from the first screen and return where they lead.

    Args:
        graph: the validated menu.
        inputs: AT's ``text`` split on ``*`` (an empty ``text`` is no input at all).
        provider: read-only lists and lookups.
        draft: the path of an unfinished report by this phone; when given, the first screen
            asks whether to continue it.
    """
    stack = [Frame(graph.resume if draft is not None else graph.root)]
    queue = deque(inputs[:MAX_INPUTS])
    error: str | None = None
    lang: str | None = None
    path: list[str] = []
    resumed: bool | None = None
    while queue:
        raw = queue.popleft().strip()
        frame = stack[-1]
        screen = graph.screens[frame.screen]
        error = None
        if isinstance(screen, End):
            break  # AT closed the session; anything after END is noise
        if frame.screen == graph.resume and len(stack) == 1 and raw not in (BACK, HOME):
            option = _option(screen, raw)
            if option is None:
                error = ERR_CHOICE
                continue
            resumed = option.replay
            stack = [Frame(option.goto)]
            if option.replay and draft is not None:
                queue.extendleft(reversed(list(draft)))
            continue
        path.append(raw)
        if raw == HOME:
            stack = [Frame(graph.root)]
        elif raw == BACK:
            if len(stack) > 1:
                stack.pop()
        else:
            try:
                nxt, switch = _step(screen, frame, raw, provider)
            except InvalidInputError as exc:
                error = exc.key
            else:
                lang = switch or lang
                stack.append(nxt)
    frame = stack[-1]
    return Position(graph.screens[frame.screen], frame, frame.answers, error, lang,
                    tuple(path), resumed)


def _option(screen: Screen, raw: str) -> Option | None:
    options = screen.options if isinstance(screen, Menu | Confirm) else ()
    return next((o for o in options if o.key == raw), None)


def _step(screen: Screen, frame: Frame, raw: str,
          provider: Provider) -> tuple[Frame, str | None]:
    if isinstance(screen, Menu | Confirm):
        option = _option(screen, raw)
        if option is None:
            raise InvalidInputError(ERR_CHOICE)
        return Frame(option.goto, _with(frame.answers, option.sets)), option.lang
    if isinstance(screen, Ask):
        value = None if raw == screen.skip_key else screen.clean(raw)
        return Frame(screen.goto, _with(frame.answers, [(screen.field, value)])), None
    if isinstance(screen, Pick):
        return _pick(screen, frame, raw, provider), None
    raise InvalidInputError(ERR_CHOICE)  # pragma: no cover - End is handled by walk


def _pick(screen: Pick, frame: Frame, raw: str, provider: Provider) -> Frame:
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    label_field = f"{screen.field}_label"
    if screen.search_prompt and _is_search(raw):
        found = list(provider.search(screen.source, parent, raw))
        if not found:
            raise InvalidInputError(ERR_NO_MATCH)
        first_page = paginate([i.label for i in found], screen.budget)[0]  # the rest would not fit
        return Frame(screen.id, frame.answers, results=tuple(found[i] for i in first_page))
    if frame.results is not None:
        shown: Sequence[Item] = frame.results
    else:
        items = provider.items(screen.source, parent)
        pages = paginate([i.label for i in items], screen.budget)
        page = pages[min(frame.page, len(pages) - 1)]
        shown = [items[i] for i in page]
        if raw == MORE_KEY and page.stop < len(items):
            return Frame(screen.id, frame.answers, page=frame.page + 1)
    if raw == SKIP_KEY and screen.skip_label:
        return Frame(screen.goto, _with(frame.answers, [(screen.field, None), (label_field, None)]))
    if raw.isdigit() and 1 <= int(raw) <= len(shown):
        item = shown[int(raw) - 1]
        return Frame(screen.goto,
                     _with(frame.answers, [(screen.field, item.id), (label_field, item.label)]))
    raise InvalidInputError(ERR_CHOICE)


def _is_search(raw: str) -> bool:
    """Letters, or three or more digits (a phone left in numeric mode spells with its keys)."""
    return any(ch.isalpha() for ch in raw) or (raw.isdigit() and len(raw) >= SEARCH_MIN_DIGITS)


def render(graph: MenuGraph, pos: Position, text: TextFn, lang: str, provider: Provider,
           outcome: tuple[str, Mapping[str, str]] | None = None) -> Rendered:
    """The screen for ``pos`` in ``lang``; ``outcome`` is the finishing action's result."""
    screen = pos.screen
    lines: list[str] = [text(lang, pos.error)] if pos.error else []
    if isinstance(screen, End):
        key, params = outcome if outcome is not None else (screen.message, {})
        lines.append(text(lang, key, **params))
        return Rendered("END " + "\n".join(lines), True, screen.id)
    if isinstance(screen, Menu):
        lines.append(text(lang, screen.prompt))
        lines += [f"{o.key}.{text(lang, o.label)}" for o in screen.options]
    elif isinstance(screen, Confirm):
        lines.append(text(lang, screen.prompt, **screen.summary(pos.answers, text, lang)))
        lines += [f"{o.key}.{text(lang, o.label)}" for o in screen.options]
    elif isinstance(screen, Ask):
        lines.append(text(lang, screen.prompt))
    else:
        lines += _pick_lines(screen, pos.frame, text, lang, provider)
    return Rendered("CON " + "\n".join(lines), False, screen.id)


def _pick_lines(screen: Pick, frame: Frame, text: TextFn, lang: str,
                provider: Provider) -> list[str]:
    if frame.results is not None:
        assert screen.search_prompt is not None  # noqa: S101 - results exist only with search
        lines = [text(lang, screen.search_prompt)]
        lines += [f"{n}.{_cap(i.label)}" for n, i in enumerate(frame.results, 1)]
        return [*lines, f"{BACK}.{text(lang, NAV_BACK)}"]
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    items = provider.items(screen.source, parent)
    pages = paginate([i.label for i in items], screen.budget)
    page = pages[min(frame.page, len(pages) - 1)]
    lines = [text(lang, screen.prompt)]
    lines += [f"{n}.{_cap(items[i].label)}" for n, i in enumerate(page, 1)]
    nav = []
    if screen.skip_label:
        nav.append(f"{SKIP_KEY}.{text(lang, screen.skip_label)}")
    if page.stop < len(items):
        nav.append(f"{MORE_KEY}.{text(lang, NAV_MORE)}")
    nav.append(f"{BACK}.{text(lang, NAV_BACK)}")
    return [*lines, " ".join(nav)]
