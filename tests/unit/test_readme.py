"""The README stays true to the code: its commands and every setting people can set."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    first_blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)[:2]
    assert first_blocks == ["python3 dev.py up", "python3 dev.py test"]


def test_every_setting_is_in_the_configuration_table() -> None:
    table_rows = [line for line in README.splitlines() if line.startswith("| `")]
    documented = {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert missing == [], f"README's configuration table lacks {missing}"
