"""docs/interface.md stays true to the code: every setting, command and SMS word is in it, and
no file of the repository points outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from app.cli import cli
from app.config import SETTINGS
from app.referral.sms_commands import KEYWORDS

ROOT = Path(__file__).resolve().parents[2]
INTERFACE = (ROOT / "docs" / "interface.md").read_text(encoding="utf-8")
FLASK_BUILTINS = {"run", "shell", "routes"}  # Flask's own, not Linda's interface
COMMANDS = {
    "serve": [], "worker": [], "db": ["upgrade"], "gazetteer": ["load", "show"],
    "responders": ["import", "export"], "cases": ["list", "show"], "staff": ["create"],
    "ussd": [],
}


def test_every_setting_is_documented() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in INTERFACE]
    assert missing == [], f"docs/interface.md lacks the settings {missing}"


def test_every_sms_word_is_documented() -> None:
    missing = [word for word in KEYWORDS if not re.search(rf"`{word}\b", INTERFACE)]
    assert missing == [], f"docs/interface.md lacks the SMS words {missing}"


def test_every_command_is_documented(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    own = {name: cmd for name, cmd in cli.commands.items() if name not in FLASK_BUILTINS}
    registered = {name: sorted(getattr(cmd, "commands", {}) or {})
                  for name, cmd in {**own, **app.cli.commands}.items()}
    for group, subcommands in COMMANDS.items():
        assert group in registered
        for sub in subcommands or [""]:
            assert f"`linda {group} {sub}".rstrip() in INTERFACE, f"linda {group} {sub}"
    undocumented = [name for name in registered if f"`linda {name}" not in INTERFACE]
    assert undocumented == [], f"docs/interface.md lacks the commands {undocumented}"


def test_the_readme_links_the_interface() -> None:
    assert "docs/interface.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_no_file_points_outside_the_repository() -> None:
    outside = ["." + "./shared", "CONTRACT" + ".md", "/" + "work/"]  # split: not found here
    found = subprocess.run(
        ["git", "grep", "-n", "-I", "-F", *[arg for word in outside for arg in ("-e", word)]],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=30)
    assert found.returncode == 1, f"references outside the repository:\n{found.stdout}"


def test_every_page_of_the_staff_blueprint_is_documented(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    documented = {re.sub(r"<[^>]+>", "<>", path)
                  for path in re.findall(r"`(/staff/[^`\s]*)`", INTERFACE)}
    missing = sorted({rule.rule for rule in app.url_map.iter_rules()
                      if rule.endpoint.startswith("staff.") and rule.endpoint != "staff.static"
                      and re.sub(r"<[^>]+>", "<>", rule.rule) not in documented})
    assert missing == [], f"docs/interface.md lacks the dashboard paths {missing}"
