"""The pure core stays pure: the menu walk, screens, graph, matching, rules, status tables, SMS
command parser and message texts import no web framework and no database, not even through a
module they import. They run (and are tested) without an app, a database or a request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import app

APP = Path(app.__file__).parent

PURE = (
    "app.cases.reference",
    "app.cases.status",
    "app.cases.vocabulary",
    "app.gazetteer.matching",
    "app.gazetteer.names",
    "app.gsm",
    "app.referral.matching",
    "app.referral.roles",
    "app.referral.rules",
    "app.referral.sms_commands",
    "app.referral.status",
    "app.referral.texts",
    "app.sms.status",
    "app.statemachine",
    "app.ussd.answers",
    "app.ussd.choosing",
    "app.ussd.engine",
    "app.ussd.graph",
    "app.ussd.lists",
    "app.ussd.menu",
    "app.ussd.screens",
)
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_migrate", "sqlalchemy", "werkzeug", "alembic",
             "redis", "rq")

# Imports each module in a fresh interpreter and lists the forbidden top-level packages it
# loaded. The packages of app/ are stood in for by empty namespaces, so a package's
# ``__init__`` (which wires the feature into Flask) does not count against its modules; every
# module a pure module imports does.
_PROBE = """
import importlib, json, sys, types
from pathlib import Path
root = Path(sys.argv[1])
forbidden = set(sys.argv[2].split(","))
def stub(name, path):
    module = types.ModuleType(name)
    module.__path__ = [str(path)]
    sys.modules[name] = module
stub("app", root)
for init in root.rglob("__init__.py"):
    if init.parent != root:
        stub("app." + ".".join(init.parent.relative_to(root).parts), init.parent)
result = {}
for target in sys.argv[3:]:
    before = set(sys.modules)
    importlib.import_module(target)
    loaded = {name.split(".")[0] for name in set(sys.modules) - before}
    result[target] = sorted(loaded & forbidden)
print(json.dumps(result))
"""


def forbidden_imports(modules: tuple[str, ...]) -> dict[str, list[str]]:
    """Module → forbidden packages importing it loads (each module after the ones before it,
    so a forbidden package is charged to the first module that pulls it in)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(APP), ",".join(FORBIDDEN), *modules],
        capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_pure_modules_import_no_framework_nor_database() -> None:
    found = forbidden_imports(PURE)
    impure = {module: loaded for module, loaded in found.items() if loaded}
    assert not impure, f"pure modules that load a framework or database: {impure}"


@pytest.mark.parametrize("module", ["app.cases.models", "app.referral.services"])
def test_the_probe_sees_a_database_import(module: str) -> None:
    assert "sqlalchemy" in forbidden_imports((module,))[module]
