"""app/referral/README.md's file map lists every module of the package."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "app" / "referral"


def test_the_file_map_lists_every_module() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    listed = {name for row in rows for name in re.findall(r"`([\w/.]+\.py)`", row.split("|")[1])}
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert sorted(modules - listed) == []
    assert sorted(listed - modules) == []
