"""Statistics computed once per roll-up refresh, per process.

Every figure of the statistics page comes from the weekly roll-ups, which change only when a
refresh rewrites them (``stats_rollup_state.refreshed_at`` moves). So a page asked again with
the same period, region and protection shows exactly what was computed the first time, until
the next refresh: the key holds the refresh time, and a refresh makes every older entry
unreachable. Small and per process; nothing personal is kept (roll-ups are counts).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from app.extensions import db
from app.stats.rollup import last_refreshed

#: Entries kept per process (periods × regions × protection × languages asked recently).
MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict[Hashable, Any] = OrderedDict()


def refresh_stamp() -> tuple[str, object]:
    """Which database and which refresh the figures come from (one small read)."""
    return db.engine.url.render_as_string(hide_password=True), last_refreshed()


def computed(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """``make()``'s value for ``key`` (which starts with ``refresh_stamp()``), made once.

    Before the first refresh there is no stamp to tie the value to: made every time.
    """
    if key[0][1] is None:
        return make()
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value = make()
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def forget() -> None:
    """Drop every entry (tests, and the benchmark's cold-cache figures)."""
    with _lock:
        _entries.clear()
