"""A pure USSD interpreter: screens are data, and one function replays the inputs.

Africa's Talking resends the whole input path on every hop (``text`` joined by ``*``), so
``walk`` replays it from the first screen: no session store is needed to know where a caller
is, and the same ``(sessionId, text)`` always lands on the same screen. ``0`` goes back one
screen, ``00`` to the main menu. Nothing here touches Flask, the database or the clock; the
lists a screen shows come from a read-only ``Provider`` passed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from app.gsm import USSD_SCREEN_LIMIT
from app.ussd.choosing import (
    index_of,
    keys_to_item,
    list_lines,
    option_for,
    paginate,
    pick_layout,
    pick_step,
    search_step,
    with_answers,
)
from app.ussd.screens import (
    BACK,
    ERR_CHOICE,
    HOME,
    MAX_INPUTS,
    NAV_LINE,
    Ask,
    Confirm,
    End,
    Frame,
    InvalidInputError,
    Menu,
    MenuGraph,
    Pick,
    Position,
    Provider,
    Rendered,
    Screen,
    Search,
    TextFn,
)


def walk(graph: MenuGraph, inputs: Sequence[str], provider: Provider,
         draft: Sequence[str] | None = None, start: str | None = None) -> Position:
    """Replay ``inputs`` from the first screen and return where they lead.

    Args:
        graph: the validated menu.
        inputs: AT's ``text`` split on ``*`` (an empty ``text`` is no input at all).
        provider: read-only lists and lookups.
        draft: the path of an unfinished report by this phone; when given, the first screen
            asks whether to continue it.
        start: the screen to replay from instead of the main menu (a report by SMS starts
            at the urgency question: its sender has already said they want to report).
    """
    first = start or graph.root
    stack = [Frame(graph.resume if draft is not None else first)]
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
            option = option_for(screen, raw)
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


def _step(graph: MenuGraph, screen: Screen, frame: Frame, raw: str,
          provider: Provider) -> tuple[Frame, str | None]:
    if isinstance(screen, Menu | Confirm):
        option = option_for(screen, raw)
        if option is None:
            raise InvalidInputError(ERR_CHOICE)
        answers = with_answers(frame.answers, option.sets)
        return Frame(option.target(answers), answers), option.lang
    if isinstance(screen, Ask):
        value = None if raw == screen.skip_key else screen.clean(raw)
        return Frame(screen.goto, with_answers(frame.answers, [(screen.field, value)])), None
    if isinstance(screen, Pick):
        return pick_step(screen, frame, raw, provider), None
    if isinstance(screen, Search):
        return search_step(graph, screen, frame, raw, provider), None
    raise InvalidInputError(ERR_CHOICE)  # pragma: no cover - End is handled by walk


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
            _pick_screen, keys, ranges = index_of(graph, screen, pos.frame, provider)
            lines += [f"{k}.{r}" for k, r in zip(keys, ranges, strict=True)]
    else:
        listed = list_lines(screen, pos.frame, text, lang, provider)  # type: ignore[arg-type]
        # On a list the error takes the heading's place: the names need the room.
        lines += listed[1:] if pos.error else listed
        navigable = False  # the list's own line already says how to go back
    body = "CON " + "\n".join(lines)
    nav = "\n" + text(lang, NAV_LINE)
    if navigable and len(body) + len(nav) <= USSD_SCREEN_LIMIT:
        body += nav
    return Rendered(body, False, screen.id)


__all__ = ["keys_to_item", "paginate", "pick_layout", "render", "walk"]
