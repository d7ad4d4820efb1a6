"""Charts drawn as SVG on the server, inline in the page.

Hand-built rather than pygal: pygal styles its charts with an inline ``<style>`` element and
by default loads its tooltip script from another host, and the dashboard's Content Security
Policy allows neither. These charts use presentation attributes only (``fill``, ``stroke``),
which a CSP does not block, carry a ``<title>`` for screen readers, and scale to the width of
a 360 px phone (``viewBox``, no fixed size). Every chart sits beside a table of its numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

#: Okabe–Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
OUTLINE = Path(__file__).parent / "data" / "tanzania_outline.json"

Cell = int | None


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def stacked_bars(title: str, weeks: Sequence[date], series: dict[str, Sequence[Cell]],
                 labels: dict[str, str], *, top: int = 6) -> Markup:
    """Cases per week, one colour per label (the ``top`` largest; the rest as "other")."""
    names = list(series)[:top]
    rest = list(series)[top:]
    rows = [(labels.get(n, n), list(series[n])) for n in names]
    if rest:
        merged = [sum(series[n][i] or 0 for n in rest) for i in range(len(weeks))]
        rows.append((labels.get("_more", "…"), list(merged)))
    width, height, left, bottom, legend_h = 640, 260, 40, 24, 18 * math.ceil(len(rows) / 3)
    plot_h = height - bottom - 10
    totals = [sum(r[1][i] or 0 for r in rows) for i in range(len(weeks))]
    peak = max([*totals, 1])
    step = (width - left - 10) / max(len(weeks), 1)
    parts = [_axis(left, 10, plot_h, peak)]
    for i, week in enumerate(weeks):
        x = left + i * step + step * 0.1
        y = 10 + plot_h
        for k, (label, values) in enumerate(rows):
            v = values[i] or 0
            if not v:
                continue
            h = plot_h * v / peak
            y -= h
            parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(step * 0.8)}" '
                         f'height="{_num(h)}" fill="{PALETTE[k % len(PALETTE)]}">'
                         f'<title>{escape(label)} {week.isoformat()}: {v}</title></rect>')
        if i % max(1, len(weeks) // 6) == 0:
            parts.append(f'<text x="{_num(x)}" y="{height - 8}" font-size="10" '
                         f'fill="#333">{week.strftime("%d.%m")}</text>')
    for k, (label, _) in enumerate(rows):
        lx, ly = 10 + (k % 3) * 210, height + 14 + 18 * (k // 3)
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" '
                     f'fill="{PALETTE[k % len(PALETTE)]}"/>'
                     f'<text x="{lx + 14}" y="{ly}" font-size="11" fill="#222">'
                     f'{escape(label)}</text>')
    return _svg(title, width, height + legend_h + 8, parts)


def hbars(title: str, rows: Sequence[tuple[str, Cell]], *, limit: int = 12) -> Markup:
    """One horizontal bar per row (largest first), the value written at its end."""
    rows = list(rows)[:limit]
    width, bar, gap, left = 640, 16, 6, 170
    peak = max([r[1] or 0 for r in rows] + [1])
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 6 + i * (bar + gap)
        w = (width - left - 60) * (value or 0) / peak
        shown = "<5" if value is None else str(value)
        parts.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" fill="#222" '
                     f'text-anchor="end">{escape(label[:28])}</text>'
                     f'<rect x="{left}" y="{y}" width="{_num(w)}" height="{bar}" '
                     f'fill="{PALETTE[0]}"/>'
                     f'<text x="{_num(left + w + 4)}" y="{y + 12}" font-size="11" '
                     f'fill="#222">{escape(shown)}</text>')
    return _svg(title, width, 12 + len(rows) * (bar + gap), parts)


@cache
def outline_rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    data = json.loads(OUTLINE.read_text())
    return tuple(tuple((float(x), float(y)) for x, y in ring) for ring in data["rings"])


def region_map(title: str, points: Sequence[tuple[str, str, float, float, Cell]]) -> Markup:
    """Tanzania's outline with one circle per region, its area in proportion to the cases."""
    rings = outline_rings()
    lons = [p[0] for r in rings for p in r]
    lats = [p[1] for r in rings for p in r]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((north + south) / 2))  # equirectangular, true at mid-latitude
    scale = 480 / ((east - west) * kx)
    width, height = 500, (north - south) * scale + 20

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - west) * kx * scale, 10 + (north - lat) * scale

    parts = []
    for ring in rings:
        d = "M" + "L".join(f"{_num(x)},{_num(y)}" for x, y in (xy(*p) for p in ring)) + "Z"
        parts.append(f'<path d="{d}" fill="#eef3f7" stroke="#5b6770" stroke-width="1"/>')
    peak = max([p[4] or 0 for p in points] + [1])
    for _rid, name, lat, lon, count in sorted(points, key=lambda p: -(p[4] or 0)):
        x, y = xy(lon, lat)
        shown = "<5" if count is None else str(count)
        r = 2.5 if not count else 3 + 22 * math.sqrt(count / peak)
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{PALETTE[5]}" '
                     f'fill-opacity="0.6" stroke="#7a2e00" stroke-width="0.8">'
                     f'<title>{escape(name)}: {escape(shown)}</title></circle>')
    return _svg(title, width, height, parts, css="chart map")


def _axis(left: int, top: int, plot_h: float, peak: int) -> str:
    return (f'<line x1="{left}" y1="{top}" x2="{left}" y2="{_num(top + plot_h)}" '
            f'stroke="#888"/><text x="{left - 4}" y="{top + 8}" font-size="10" fill="#333" '
            f'text-anchor="end">{peak}</text><text x="{left - 4}" y="{_num(top + plot_h)}" '
            f'font-size="10" fill="#333" text-anchor="end">0</text>')


def _svg(title: str, width: float, height: float, parts: list[str], *,
         css: str = "chart") -> Markup:
    return Markup(  # noqa: S704 - every label above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'role="img" class="{css}" preserveAspectRatio="xMinYMin meet">'
        f'<title>{escape(title)}</title>{"".join(parts)}</svg>')
