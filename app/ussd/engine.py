"""A pure USSD interpreter: screens are data, and one function replays the inputs.

Africa's Talking resends the whole input path on every hop (``text`` joined by ``*``), so
``walk`` replays it from the first screen: no session store is needed to know where a caller
is, and the same ``(sessionId, text)`` always lands on the same screen. ``0`` goes back one
screen, ``00`` to the main menu. Nothing here touches Flask, the database or the clock; the
lists a screen shows come from a read-only ``Provider`` passed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from app.ussd.screens import (
    BACK,
    ERR_CHOICE,
    ERR_NO_MATCH,
    HOME,
    ITEM_BUDGET,
    LABEL_CAP,
    MAX_INPUTS,
    MORE_KEY,
    NAV_BACK,
    NAV_MORE,
    PAGE_MAX_ITEMS,
    SEARCH_MIN_DIGITS,
    SKIP_KEY,
    Ask,
    Confirm,
    End,
    Frame,
    InvalidInputError,
    Item,
    Menu,
    MenuGraph,
    Option,
    Pick,
    Position,
    Provider,
    Rendered,
    Screen,
    TextFn,
)


def paginate(labels: Sequence[str], budget: int = ITEM_BUDGET) -> list[range]:
    """Split a list into pages that fit ``budget``; the split never depends on language."""
    return list(_paginate(tuple(labels), budget))


@lru_cache(maxsize=4096)
def _paginate(labels: tuple[str, ...], budget: int) -> tuple[range, ...]:
    # Every hop replays its path, paging the same few lists again: done once per list.
    pages: list[range] = []
    start, used = 0, 0
    for i, label in enumerate(labels):
        cost = len(_cap(label)) + 3
        if i > start and (used + cost > budget or i - start >= PAGE_MAX_ITEMS):
            pages.append(range(start, i))
            start, used = i, 0
        used += cost
    pages.append(range(start, len(labels)))
    return tuple(pages)


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
