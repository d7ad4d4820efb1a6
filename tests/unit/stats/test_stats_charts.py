"""Charts are plain SVG a strict CSP allows: attributes only, labels escaped, sized by viewBox."""

from __future__ import annotations

from datetime import date, timedelta

from app.stats.charts import hbars, outline_rings, region_map, stacked_bars

WEEKS = [date(2026, 11, 2) + timedelta(weeks=i) for i in range(3)]


def test_bars_escape_labels_and_carry_no_style_or_script() -> None:
    svg = str(stacked_bars("Cases", WEEKS, {"<b>x</b>": [3, None, 7], "y": [1, 2, 0]},
                           {"y": "why & not"}))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "why &amp; not" in svg
    assert "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert 'viewBox="0 0 640' in svg and "<title>Cases</title>" in svg
    assert svg.count("<rect") == 2 + 2 + 2  # 4 non-empty cells, 2 legend keys


def test_hidden_counts_are_written_as_under_five() -> None:
    svg = str(hbars("Abandoned", [("ussd.ward", 23), ("ussd.urgent", None)]))
    assert ">23</text>" in svg and ">&lt;5</text>" in svg


def test_the_map_draws_every_island_and_one_circle_per_region() -> None:
    assert len(outline_rings()) >= 3  # mainland, Unguja, Pemba (and Mafia)
    svg = str(region_map("Map", [("TZ-02", "Dar es Salaam", -6.8, 39.28, 40),
                                 ("TZ-01", "Arusha", -3.37, 36.68, None)]))
    assert svg.count("<path") == len(outline_rings())
    assert svg.count("<circle") == 2 and "Arusha: &lt;5" in svg
