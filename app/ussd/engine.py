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

from app.gsm import USSD_SCREEN_LIMIT
from app.ussd.lists import Layout, index_labels, keys_to, layout, numbered
from app.ussd.lists import cap as cap_label
from app.ussd.screens import (
    BACK,
    ERR_CHOICE,
    ERR_NO_MATCH,
    ERR_NO_PLACE,
    HOME,
    ITEM_BUDGET,
    LABEL_CAP,
    MAX_INPUTS,
    MORE_KEY,
    NAV_BACK,
    NAV_LINE,
    NAV_MORE,
    PAGE_MAX_ITEMS,
    SEARCH_KEEP,
    SEARCH_MIN_DIGITS,
    SKIP_KEY,
    WHOLE_MAX_WITH_SKIP,
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
    Search,
    TextFn,
)


def paginate(labels: Sequence[str], budget: int = ITEM_BUDGET,
             cap: int = LABEL_CAP) -> list[range]:
    """Split a list into pages that fit ``budget``; the split never depends on language."""
    return list(_paginate(tuple(labels), budget, cap))


@lru_cache(maxsize=4096)
def _paginate(labels: tuple[str, ...], budget: int, cap: int) -> tuple[range, ...]:
    # Every hop replays its path, paging the same few lists again: done once per list.
    pages: list[range] = []
    start, used = 0, 0
    for i, label in enumerate(labels):
        cost = len(cap_label(label, cap)) + 3
        if i > start and (used + cost > budget or i - start >= PAGE_MAX_ITEMS):
            pages.append(range(start, i))
            start, used = i, 0
        used += cost
    pages.append(range(start, len(labels)))
    return tuple(pages)


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
                nxt, switch = _step(graph, screen, frame, raw, provider)
            except InvalidInputError as exc:
                error = exc.key
            else:
                lang = switch or lang
                stack.append(nxt)
    frame = stack[-1]
    return Position(graph.screens[frame.screen], frame, frame.answers, error, lang,
                    tuple(path), resumed)


def _option(screen: Screen, raw: str) -> Option | None:
    options = screen.options if isinstance(screen, Menu | Confirm | Search) else ()
    return next((o for o in options if o.key == raw), None)


def _step(graph: MenuGraph, screen: Screen, frame: Frame, raw: str,
          provider: Provider) -> tuple[Frame, str | None]:
    if isinstance(screen, Menu | Confirm):
        option = _option(screen, raw)
        if option is None:
            raise InvalidInputError(ERR_CHOICE)
        answers = _with(frame.answers, option.sets)
        return Frame(option.target(answers), answers), option.lang
    if isinstance(screen, Ask):
        value = None if raw == screen.skip_key else screen.clean(raw)
        return Frame(screen.goto, _with(frame.answers, [(screen.field, value)])), None
    if isinstance(screen, Pick):
        return _pick(screen, frame, raw, provider), None
    if isinstance(screen, Search):
        return _search(graph, screen, frame, raw, provider), None
    raise InvalidInputError(ERR_CHOICE)  # pragma: no cover - End is handled by walk


def _chosen(screen: Pick | Search, frame: Frame, item: Item) -> Frame:
    """Leave a list with ``item`` picked: its id, label and the answers it carries."""
    updates = [(screen.field, item.id), (f"{screen.field}_label", item.label), *item.sets]
    if isinstance(screen, Pick):
        updates += screen.sets
    return Frame(screen.goto, _with(frame.answers, updates))


def _in_results(screen: Pick | Search, frame: Frame, raw: str, cap: int) -> Frame:
    """A key pressed on a page of search results: more, or a number on this page."""
    assert frame.results is not None  # noqa: S101 - only called on a results frame
    pages = paginate([i.label for i in frame.results], screen.budget, cap)
    page = pages[min(frame.page, len(pages) - 1)]
    if raw == MORE_KEY and page.stop < len(frame.results):
        return Frame(screen.id, frame.answers, page=frame.page + 1, results=frame.results)
    if raw.isdigit() and 1 <= int(raw) <= len(page):
        return _chosen(screen, frame, frame.results[page[int(raw) - 1]])
    raise InvalidInputError(ERR_CHOICE)


def pick_layout(screen: Pick, items: Sequence[Item]) -> Layout:
    """How ``screen`` shows ``items``: whole, or an index of ranges (``app/ussd/lists.py``)."""
    whole_max = WHOLE_MAX_WITH_SKIP if screen.skip_label else len(items)
    return layout([i.label for i in items], [i.short for i in items], screen.budget, whole_max)


def _index_taken(screen: Pick) -> tuple[str, ...]:
    return (SKIP_KEY,) if screen.skip_label else ()


def _listed(screen: Pick, frame: Frame, provider: Provider) -> tuple[Sequence[Item], Layout]:
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    items = provider.items(screen.source, parent)
    return items, pick_layout(screen, items)


def _pick(screen: Pick, frame: Frame, raw: str, provider: Provider) -> Frame:
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    if screen.search_prompt and _is_search(raw):
        found = list(provider.search(screen.source, parent, raw))[:SEARCH_KEEP]
        if not found:
            raise InvalidInputError(ERR_NO_MATCH)
        exact = [i for i in found if _plain(i.label.split(" (")[0]) == _plain(raw)]
        if screen.auto_pick and (len(found) == 1 or len(exact) == 1):
            return _chosen(screen, frame, found[0] if len(found) == 1 else exact[0])
        return Frame(screen.id, frame.answers, results=tuple(found))
    if frame.results is not None:
        return _in_results(screen, frame, raw, LABEL_CAP)
    if raw == SKIP_KEY and screen.skip_label and not frame.opened:
        return Frame(screen.goto, _with(frame.answers, [(screen.field, None),
                                                        (f"{screen.field}_label", None),
                                                        *screen.sets]))
    items, lay = _listed(screen, frame, provider)
    if lay.indexed and not frame.opened:
        keys = numbered(len(lay.pages), _index_taken(screen))
        if raw in keys:
            return Frame(screen.id, frame.answers, page=keys.index(raw), opened=True)
        raise InvalidInputError(ERR_CHOICE)
    page = lay.pages[min(frame.page, len(lay.pages) - 1)]
    if raw.isdigit() and 1 <= int(raw) <= len(page):
        return _chosen(screen, frame, items[page[int(raw) - 1]])
    raise InvalidInputError(ERR_CHOICE)


def _index_of(graph: MenuGraph, screen: Search, frame: Frame,
              provider: Provider) -> tuple[Pick, list[str], tuple[str, ...]]:
    """The list whose index the place screen shows: its screen, the keys and the ranges."""
    pick = graph.screens[screen.index or ""]
    assert isinstance(pick, Pick)  # noqa: S101 - checked when the graph is built
    items, lay = _listed(pick, frame, provider)
    taken = [o.key for o in screen.options]
    names = [i.label.split(" (")[0] for i in items]
    return (pick, numbered(len(lay.pages), taken),
            index_labels(names, lay.pages, screen.index_budget, taken))


def _search(graph: MenuGraph, screen: Search, frame: Frame, raw: str,
            provider: Provider) -> Frame:
    """The place asked by name: a way out by number, a range of the index, a search, or a
    pick from the results."""
    if frame.results is None:
        option = _option(screen, raw)
        if option is not None:
            answers = _with(frame.answers, option.sets)
            return Frame(option.target(answers), answers)
        if screen.index is not None:
            pick, keys, _ranges = _index_of(graph, screen, frame, provider)
            if raw in keys:
                return Frame(pick.id, frame.answers, page=keys.index(raw), opened=True)
    elif not _is_search(raw):
        return _in_results(screen, frame, raw, screen.cap)
    if not _is_search(raw):
        raise InvalidInputError(ERR_CHOICE)
    found = list(provider.search(screen.source, None, raw))[:SEARCH_KEEP]
    if not found:
        raise InvalidInputError(ERR_NO_PLACE)
    if len(found) == 1 and len(raw.split()) >= screen.auto_pick_words:
        return _chosen(screen, frame, found[0])
    return Frame(screen.id, frame.answers, results=tuple(found))


def _plain(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def _is_search(raw: str) -> bool:
    """Letters, or three or more digits (a phone left in numeric mode spells with its keys)."""
    return any(ch.isalpha() for ch in raw) or (raw.isdigit() and len(raw) >= SEARCH_MIN_DIGITS)


def render(graph: MenuGraph, pos: Position, text: TextFn, lang: str, provider: Provider,
           outcome: tuple[str, Mapping[str, str]] | None = None) -> Rendered:
    """The screen for ``pos`` in ``lang``; ``outcome`` is the finishing action's result.

    Under a menu or question, "0 back, 00 home" is added when it still fits 160 characters."""
    screen = pos.screen
    lines: list[str] = [text(lang, pos.error)] if pos.error else []
    if isinstance(screen, End):
        key, params = outcome if outcome is not None else (screen.message, {})
        lines.append(text(lang, key, **params))
        return Rendered("END " + "\n".join(lines), True, screen.id)
    navigable = screen.id not in (graph.root, graph.resume)
    if isinstance(screen, Menu):
        lines.append(text(lang, screen.prompt))
        lines += [f"{o.key}.{text(lang, o.label)}" for o in screen.options]
    elif isinstance(screen, Confirm):
        lines.append(text(lang, screen.prompt, **screen.summary(pos.answers, text, lang)))
        lines += [f"{o.key}.{text(lang, o.label)}" for o in screen.options]
    elif isinstance(screen, Ask):
        lines.append(text(lang, screen.prompt))
    elif isinstance(screen, Search) and pos.frame.results is None:
        lines.append(text(lang, screen.prompt))
        lines += [f"{o.key}.{text(lang, o.label)}" for o in screen.options]
        if screen.index is not None:
            _pick_screen, keys, ranges = _index_of(graph, screen, pos.frame, provider)
            lines += [f"{k}.{r}" for k, r in zip(keys, ranges, strict=True)]
    else:
        listed = _list_lines(screen, pos.frame, text, lang, provider)  # type: ignore[arg-type]
        # On a list the error takes the heading's place: the names need the room.
        lines += listed[1:] if pos.error else listed
        navigable = False  # the list's own line already says how to go back
    body = "CON " + "\n".join(lines)
    nav = "\n" + text(lang, NAV_LINE)
    if navigable and len(body) + len(nav) <= USSD_SCREEN_LIMIT:
        body += nav
    return Rendered(body, False, screen.id)


def _list_lines(screen: Pick | Search, frame: Frame, text: TextFn, lang: str,
                provider: Provider) -> list[str]:
    if frame.results is not None:
        cap = screen.cap if isinstance(screen, Search) else LABEL_CAP
        head = screen.found_prompt if isinstance(screen, Search) else screen.search_prompt
        assert head is not None  # noqa: S101 - results exist only with search
        pages = paginate([i.label for i in frame.results], screen.budget, cap)
        page = pages[min(frame.page, len(pages) - 1)]
        lines = [text(lang, head)]
        lines += [f"{n}.{cap_label(frame.results[i].label, cap)}" for n, i in enumerate(page, 1)]
        nav = [f"{MORE_KEY}.{text(lang, NAV_MORE)}"] if page.stop < len(frame.results) else []
        return [*lines, " ".join([*nav, f"{BACK}.{text(lang, NAV_BACK)}"])]
    assert isinstance(screen, Pick)  # noqa: S101 - a Search without results is a prompt
    _items, lay = _listed(screen, frame, provider)
    lines = [text(lang, screen.prompt)]
    nav = []
    if lay.indexed and not frame.opened:
        keys = numbered(len(lay.pages), _index_taken(screen))
        lines += [f"{k}.{r}" for k, r in zip(keys, lay.ranges, strict=True)]
    else:
        page = lay.pages[min(frame.page, len(lay.pages) - 1)]
        lines += [f"{n}.{lay.labels[i]}" for n, i in enumerate(page, 1)]
    if screen.skip_label and not frame.opened:
        nav.append(f"{SKIP_KEY}.{text(lang, screen.skip_label)}")
    nav.append(f"{BACK}.{text(lang, NAV_BACK)}")
    return [*lines, " ".join(nav)]


def keys_to_item(screen: Pick, items: Sequence[Item], target: str) -> list[str]:
    """What a reporter presses on ``screen`` (arriving at its index or whole list) to pick
    the item ``target``: used by the screen-count walks and the benches."""
    index = next(n for n, item in enumerate(items) if item.id == target)
    lay = pick_layout(screen, items)
    return keys_to(lay, index, _index_taken(screen))
