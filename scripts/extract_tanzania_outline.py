"""Extract Tanzania's outline from the ``world-atlas`` npm package into a small JSON file.

Run once when the outline should change (it is committed):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/extract_tanzania_outline.py package/countries-50m.json \
        app/stats/data/tanzania_outline.json

The output is ``{"source": ..., "rings": [[[lon, lat], ...], ...]}``: the polygons' outer
rings (mainland, Zanzibar, Pemba, Mafia…) as longitude/latitude pairs rounded to 0.01°
(about 1 km, plenty for a page-sized map).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def decode_arc(arc: list[list[int]], scale: list[float],
               translate: list[float]) -> list[list[float]]:
    x = y = 0
    points = []
    for dx, dy in arc:
        x, y = x + dx, y + dy
        points.append([round(x * scale[0] + translate[0], 2),
                       round(y * scale[1] + translate[1], 2)])
    return points


def ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    out: list[list[float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        out.extend(points if not out else points[1:])
    deduped = [p for k, p in enumerate(out) if k == 0 or p != out[k - 1]]
    return deduped


def main(source: Path, target: Path) -> None:
    topo = json.loads(source.read_text())
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = [decode_arc(a, scale, translate) for a in topo["arcs"]]
    (country,) = [g for g in topo["objects"]["countries"]["geometries"]
                  if g.get("properties", {}).get("name") == "Tanzania"]
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    rings = [ring(polygon[0], arcs) for polygon in polygons]
    rings = [r for r in rings if len(r) >= 4]
    target.write_text(json.dumps({
        "source": "world-atlas 2.0.2 (npm), countries-50m.json, feature 'Tanzania' (id 834); "
                  "Natural Earth 1:50m Admin 0 countries, public domain",
        "rings": rings,
    }, separators=(",", ":")) + "\n")
    print(f"{len(rings)} rings, {sum(len(r) for r in rings)} points -> {target}")  # noqa: T201


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
