"""The randomized fault suite: private servers, and the summary line of a run."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.faults.fault_world import STATS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STATS["runs"]:
        terminalreporter.write_line(STATS.line())
        summary = os.environ.get("FAULT_SUMMARY_FILE")
        if summary:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(STATS.line() + "\n")


@pytest.fixture(scope="session")
def fault_world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.faults.fault_world import World

    world = World(tmp_path_factory.mktemp("faults"))
    try:
        world.start()
        yield world
    finally:
        world.close()
