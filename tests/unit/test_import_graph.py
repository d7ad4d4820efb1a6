"""No import loops in ``app/``: services schedule jobs by name, jobs call services, features
talk through signals. A loop makes a reader go back and forth and breaks on import order."""

from __future__ import annotations

from pathlib import Path

import app
from tests.import_graph import find_cycles, import_graph

APP = Path(app.__file__).parent


def test_app_has_no_import_loop() -> None:
    loops = find_cycles(import_graph(APP, "app"))
    assert not loops, "import loops in app/: " + "; ".join(" -> ".join(c) for c in loops)


def test_a_loop_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "services.py").write_text("def schedule():\n    from pkg.sub import tasks\n")
    (pkg / "sub" / "tasks.py").write_text("from pkg import services\n")
    (pkg / "clean.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from pkg import services\n")
    graph = import_graph(pkg, "pkg")
    assert find_cycles(graph) == [["pkg.services", "pkg.sub.tasks", "pkg.services"]]
    assert graph["pkg.clean"] == set()  # type-only imports never run


def test_jobs_are_scheduled_by_names_that_exist() -> None:
    """A dotted job path with a typo would fail only in the worker; check every one here."""
    import importlib

    from app.referral import schedule as referral_schedule
    from app.sandbox import schedule as sandbox_schedule
    from app.sms import schedule as sms_schedule

    paths = [value for module in (referral_schedule, sandbox_schedule, sms_schedule)
             for name, value in vars(module).items()
             if name.isupper() and isinstance(value, str)]
    assert len(paths) == 7
    for path in paths:
        module_name, _, func = path.rpartition(".")
        assert module_name.endswith(".tasks")
        assert callable(getattr(importlib.import_module(module_name), func)), path
