"""Building the menu graph, and proving it sound before any caller meets it.

Every target must exist, option keys must be unique and never a navigation or telco key,
every screen must be reachable, every finishing action known, and every screen, in every
language, with its longest error line and the longest names a list can show, must fit 160
GSM-7 characters including ``CON ``/``END ``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from app.gsm import USSD_SCREEN_LIMIT, is_gsm7
from app.ussd.screens import (
    BACK,
    ERR_CHOICE,
    ERR_NO_MATCH,
    ERR_NO_PLACE,
    MORE_KEY,
    NAV_BACK,
    NAV_MORE,
    RESERVED_KEYS,
    SKIP_KEY,
    Ask,
    Confirm,
    End,
    Menu,
    MenuGraph,
    Pick,
    Screen,
    Search,
    TextFn,
)


class GraphError(ValueError):
    """The menu graph is inconsistent; raised when it is built, never while a caller waits."""


def build_graph(screens: Iterable[Screen], *, root: str, resume: str, text: TextFn,
                langs: Sequence[str], actions: Iterable[str]) -> MenuGraph:
    """Check the menu and return it.

    Raises:
        GraphError: a duplicate screen id or option key, a reserved key, a target that does
            not exist, a screen nobody can reach, an unknown action, or a screen that does not
            fit 160 GSM-7 characters in some language.
    """
    table: dict[str, Screen] = {}
    for screen in screens:
        if screen.id in table:
            raise GraphError(f"screen {screen.id!r} is defined twice")
        table[screen.id] = screen
    for sid in (root, resume):
        if sid not in table:
            raise GraphError(f"start screen {sid!r} does not exist")
    known_actions = set(actions)
    for screen in table.values():
        _check_links(screen, table, known_actions)
    unreachable = set(table) - _reachable(table, (root, resume))
    if unreachable:
        raise GraphError(f"screens nobody can reach: {sorted(unreachable)}")
    graph = MenuGraph(MappingProxyType(table), root, resume)
    for lang in langs:
        for screen in table.values():
            for rendered in worst_case_screens(screen, text, lang):
                _check_fits(screen.id, lang, rendered)
    return graph


def _targets(screen: Screen) -> list[str]:
    options = screen.options if isinstance(screen, Menu | Confirm | Search) else ()
    targets = [t for o in options for t in (o.goto, *(w[2] for w in o.when))]
    if isinstance(screen, Ask | Pick | Search):
        targets.append(screen.goto)
    if isinstance(screen, Search) and screen.index is not None:
        targets.append(screen.index)
    return targets


def _check_links(screen: Screen, table: Mapping[str, Screen], actions: set[str]) -> None:
    if isinstance(screen, Menu | Confirm | Search):
        keys = [o.key for o in screen.options]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise GraphError(f"screen {screen.id!r} uses option keys twice: {sorted(dupes)}")
        bad = [k for k in keys if k in RESERVED_KEYS or not k.isdigit()]
        if bad:
            raise GraphError(f"screen {screen.id!r} uses reserved or non-digit keys: {bad}")
    if isinstance(screen, Ask) and screen.skip_key in RESERVED_KEYS:
        raise GraphError(f"screen {screen.id!r} skips with a reserved key")
    if isinstance(screen, End) and screen.action is not None and screen.action not in actions:
        raise GraphError(f"screen {screen.id!r} names an unknown action {screen.action!r}")
    for target in _targets(screen):
        if target not in table:
            raise GraphError(f"screen {screen.id!r} leads to {target!r}, which does not exist")
    if (isinstance(screen, Search) and screen.index is not None
            and not isinstance(table[screen.index], Pick)):
        raise GraphError(f"screen {screen.id!r} shows the index of {screen.index!r}, "
                         "which is not a list")


def _reachable(table: Mapping[str, Screen], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo += _targets(table[sid])
    return seen


def error_keys(screen: Screen) -> set[str]:
    """Every error message ``screen`` can show above its text."""
    if isinstance(screen, End):
        return set()
    if isinstance(screen, Ask):
        return set(screen.errors)
    if isinstance(screen, Pick) and screen.search_prompt:
        return {ERR_CHOICE, ERR_NO_MATCH}
    if isinstance(screen, Search):
        return {ERR_CHOICE, ERR_NO_PLACE}
    return {ERR_CHOICE}


def worst_case_screens(screen: Screen, text: TextFn, lang: str) -> list[str]:
    """The longest forms of ``screen``: longest error line, longest names, fullest list."""
    errors = [text(lang, k) + "\n" for k in sorted(error_keys(screen))]
    error = max(errors, key=len, default="")
    if isinstance(screen, End):
        keys = (screen.message, *screen.variants)
        return [f"END {text(lang, k, ref='0000000')}" for k in keys]
    if isinstance(screen, Menu | Confirm):
        opts = "\n".join(f"{o.key}.{text(lang, o.label)}" for o in screen.options)
        if isinstance(screen, Confirm):
            heads = [text(lang, screen.prompt, **screen.summary(sample, text, lang))
                     for sample in screen.samples]
        else:
            heads = [text(lang, screen.prompt)]
        return [f"CON {error}{head}\n{opts}" for head in heads]
    if isinstance(screen, Ask):
        return [f"CON {error}{text(lang, screen.prompt)}"]
    items = "x" * screen.budget  # what a page or an index may fill, newlines included
    more_back = f"{MORE_KEY}.{text(lang, NAV_MORE)} {BACK}.{text(lang, NAV_BACK)}"
    if isinstance(screen, Search):
        opts = "".join(f"\n{o.key}.{text(lang, o.label)}" for o in screen.options)
        index = "\n" + "x" * screen.index_budget if screen.index else ""
        found = max(text(lang, screen.found_prompt) + "\n", error, key=len)
        return [f"CON {error}{text(lang, screen.prompt)}{opts}{index}",
                f"CON {found}{items}{more_back}"]
    # On a list the error line takes the heading's place (see ``engine.render``).
    nav_items = [f"{BACK}.{text(lang, NAV_BACK)}"]
    if screen.skip_label:
        nav_items.insert(0, f"{SKIP_KEY}.{text(lang, screen.skip_label)}")
    head = max(text(lang, screen.prompt) + "\n", error, key=len)
    forms = [f"CON {head}{items}{' '.join(nav_items)}"]
    if screen.search_prompt:
        found = max(text(lang, screen.search_prompt) + "\n", error, key=len)
        forms.append(f"CON {found}{items}{more_back}")
    return forms


def _check_fits(screen_id: str, lang: str, rendered: str) -> None:
    if len(rendered) > USSD_SCREEN_LIMIT:
        raise GraphError(f"screen {screen_id!r} in {lang!r} can reach {len(rendered)} characters "
                         f"(limit {USSD_SCREEN_LIMIT})")
    if not is_gsm7(rendered):
        raise GraphError(f"screen {screen_id!r} in {lang!r} has characters outside GSM-7")
