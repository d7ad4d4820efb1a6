"""dev.py, the README's two commands: the decisions it makes before running anything."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev() -> ModuleType:
    """Return dev.py loaded as a module (it lives at the repo root, outside any package)."""
    spec = importlib.util.spec_from_file_location("linda_dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["linda_dev"] = module
    spec.loader.exec_module(module)
    return module


def test_an_old_python_is_refused_with_the_version_and_the_fix(dev: ModuleType) -> None:
    with pytest.raises(dev.StepError, match=r"Python 3\.10\.12 is too old.*3\.11 or newer"):
        dev.check_python((3, 10, 12))
    dev.check_python((3, 11, 0))
    dev.check_python((3, 13, 1))


def test_install_runs_again_only_when_pyproject_changes(dev: ModuleType, tmp_path: Path) -> None:
    pyproject, stamp, linda = tmp_path / "pyproject.toml", tmp_path / "stamp", tmp_path / "linda"
    pyproject.write_text('[project]\nname = "linda"\n')
    first = dev.install_fingerprint(pyproject)
    assert dev.needs_install(stamp, first, linda), "nothing installed yet"

    linda.touch()
    stamp.write_text(first + "\n")
    assert not dev.needs_install(stamp, first, linda)

    pyproject.write_text('[project]\nname = "linda"\ndependencies = ["rq"]\n')
    assert dev.needs_install(stamp, dev.install_fingerprint(pyproject), linda)

    linda.unlink()
    assert dev.needs_install(stamp, first, linda), "a broken install is repaired"


def test_only_folders_with_catalogs_are_compiled(dev: ModuleType, tmp_path: Path) -> None:
    assert dev.catalog_dirs(tmp_path) == []
    (tmp_path / "app" / "web" / "translations").mkdir(parents=True)
    po = tmp_path / "app" / "ussd" / "translations" / "sw" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n')
    assert dev.catalog_dirs(tmp_path) == [tmp_path / "app" / "ussd" / "translations"]


def test_test_passes_every_argument_to_pytest(dev: ModuleType) -> None:
    args = dev.parse_args(["test", "-q", "-k", "sms", "--help"])
    assert (args.command, args.pytest_args) == ("test", ["-q", "-k", "sms", "--help"])
    up = dev.parse_args(["up", "--port", "5055"])
    assert (up.command, up.host, up.port) == ("up", "127.0.0.1", 5055)


def test_an_unknown_command_is_a_usage_error(dev: ModuleType,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dev.parse_args(["deploy"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'deploy'" in capsys.readouterr().err


def test_a_taken_port_is_reported_before_serving(dev: ModuleType) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(dev.StepError, match=rf"cannot listen on 127\.0\.0\.1:{port}.*--port"):
            dev.check_port_free("127.0.0.1", port)


def test_a_failing_step_names_itself_and_its_exit_code(dev: ModuleType) -> None:
    with pytest.raises(dev.StepError, match=r"linda db upgrade failed \(exit 3\)"):
        dev.run("linda db upgrade", [sys.executable, "-c", "raise SystemExit(3)"], quiet=True)
