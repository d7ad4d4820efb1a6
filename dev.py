#!/usr/bin/env python3
"""Set up and run Linda from a fresh clone with nothing but Python 3.11+.

    python3 dev.py up [--host H] [--port P]   install, migrate, load the gazetteer, serve
    python3 dev.py test [pytest args...]      install, then run the test suite

Both create ``.venv`` when it is missing and reinstall the project when ``pyproject.toml``
changed since the last install. Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
LINDA = BIN / ("linda.exe" if os.name == "nt" else "linda")
STAMP = VENV / ".linda-install-stamp"


class StepError(Exception):
    """A step failed; the message is the one line a person needs (what, and how to fix it)."""


class Progress:
    """Numbered progress lines: ``[2/6] installing dependencies …``."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def step(self, text: str) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {text}", flush=True)


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> None:
    """Refuse a Python older than 3.11 with the version found and what to do.

    Raises:
        StepError: the running Python is too old.
    """
    if version[:2] < MIN_PYTHON:
        found = ".".join(str(part) for part in version)
        raise StepError(f"Python {found} is too old: Linda needs Python "
                        f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; run dev.py with it "
                        f"(e.g. python3.11 dev.py ...)")


def install_fingerprint(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """What the install depends on: pyproject.toml's bytes and the venv's Python version."""
    digest = hashlib.sha256(pyproject.read_bytes())
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    return digest.hexdigest()


def needs_install(stamp: Path, fingerprint: str, linda: Path) -> bool:
    """True when nothing was installed yet, the install broke, or pyproject.toml changed."""
    if not linda.exists() or not stamp.exists():
        return True
    return stamp.read_text().strip() != fingerprint


def run(step: str, args: list[str | os.PathLike[str]], *, quiet: bool = False) -> None:
    """Run one command; on failure raise with the step's name and the exit code.

    ``quiet`` hides the command's output unless it fails.

    Raises:
        StepError: the command exited non-zero or could not start.
    """
    try:
        result = subprocess.run(args, cwd=ROOT, check=False, text=True,
                                capture_output=quiet, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise StepError(f"{step}: cannot run {args[0]}: {exc.strerror}") from None
    if result.returncode != 0:
        if quiet:
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
        raise StepError(f"{step} failed (exit {result.returncode}); see the output above")


def ensure_venv(progress: Progress) -> None:
    """Create ``.venv`` when missing (or broken: no Python inside).

    Raises:
        StepError: the venv module is missing or failed.
    """
    if PYTHON.exists():
        progress.step(".venv exists")
        return
    progress.step("creating .venv …")
    if VENV.exists():
        shutil.rmtree(VENV)
    result = subprocess.run([sys.executable, "-m", "venv", str(VENV)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0 or not PYTHON.exists():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise StepError("cannot create .venv"
                        + (f" ({detail[-1]})" if detail else "")
                        + ": on Debian or Ubuntu install python3-venv (apt install python3-venv)")


def ensure_installed(progress: Progress) -> None:
    """``pip install -e '.[dev]'`` when pyproject.toml changed since the last install.

    Raises:
        StepError: pip failed.
    """
    fingerprint = install_fingerprint()
    if not needs_install(STAMP, fingerprint, LINDA):
        progress.step("dependencies up to date (pyproject.toml unchanged)")
        return
    progress.step("installing Linda and its dependencies into .venv (pip install -e '.[dev]') …")
    STAMP.unlink(missing_ok=True)
    run("pip install", [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q",
                        "-e", ".[dev]"])
    STAMP.write_text(fingerprint + "\n")


def catalog_dirs(root: Path = ROOT) -> list[Path]:
    """Every feature's ``translations`` directory that holds at least one ``.po`` file."""
    return sorted(d for d in (root / "app").glob("*/translations")
                  if d.is_dir() and any(d.glob("*/LC_MESSAGES/*.po")))


def compile_catalogs(progress: Progress) -> None:
    """Compile every feature's .po catalogs to .mo (the app also reads .po if this is skipped).

    Raises:
        StepError: a catalog does not compile.
    """
    dirs = catalog_dirs()
    if not dirs:
        progress.step("no translation catalogs yet, nothing to compile")
        return
    progress.step(f"compiling {len(dirs)} translation catalog folder(s) …")
    for directory in dirs:
        run(f"pybabel compile {directory.relative_to(ROOT)}",
            [BIN / "pybabel", "compile", "-d", directory, "-D", "messages"], quiet=True)


def has_command(name: str) -> bool:
    """True when ``linda --help`` lists ``name`` (features land at different times).

    Raises:
        StepError: ``linda --help`` itself failed (a bad setting, say).
    """
    result = subprocess.run([LINDA, "--help"], cwd=ROOT, capture_output=True, text=True,
                            check=False, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise StepError(f"linda --help failed (exit {result.returncode}); see the output above")
    return any(line.split()[:1] == [name] for line in result.stdout.splitlines())


def check_port_free(host: str, port: int) -> None:
    """Fail early and clearly when the port is taken, rather than with a server traceback.

    Raises:
        StepError: something already listens there.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise StepError(f"cannot listen on {host}:{port} ({exc.strerror}): stop the other "
                            f"process or choose another port with --port") from None


def cmd_up(host: str, port: int) -> int:
    progress = Progress(6)
    ensure_venv(progress)
    ensure_installed(progress)
    compile_catalogs(progress)
    progress.step("applying database migrations (linda db upgrade) …")
    run("linda db upgrade", [LINDA, "db", "upgrade"])
    if has_command("gazetteer"):
        progress.step("loading regions, councils and wards (linda gazetteer load) …")
        run("linda gazetteer load", [LINDA, "gazetteer", "load"])
    else:
        progress.step("skipped the gazetteer: `linda gazetteer load` does not exist yet")
    check_port_free(host, port)
    progress.step(f"starting Linda on http://{host}:{port} (linda serve; Ctrl-C stops it)")
    sys.stdout.flush()
    # Replace this process so that Ctrl-C and kill reach the server directly.
    os.execv(LINDA, [str(LINDA), "serve", "--host", host, "--port", str(port)])  # noqa: S606 - fixed argv, no shell
    return 0  # pragma: no cover - execv does not return


def cmd_test(pytest_args: list[str]) -> int:
    progress = Progress(3)
    ensure_venv(progress)
    ensure_installed(progress)
    progress.step("running the tests: python -m pytest " + " ".join(pytest_args))
    sys.stdout.flush()
    return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, check=False,
                          stdin=subprocess.DEVNULL).returncode


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py", description="Set up, run and test Linda from a fresh clone.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{up,test}")
    up = commands.add_parser("up", help="install, migrate, load the gazetteer and serve")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    up.add_argument("--port", type=int, default=5000, help="port to listen on (5000)")
    commands.add_parser("test", help="install, then run pytest with the remaining arguments",
                        add_help=False)
    if argv[:1] == ["test"]:
        # Everything after `test` belongs to pytest, including its own --help.
        return argparse.Namespace(command="test", pytest_args=argv[1:])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        check_python()
        if args.command == "up":
            return cmd_up(args.host, args.port)
        return cmd_test(args.pytest_args)
    except StepError as exc:
        print(f"dev.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dev.py: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
