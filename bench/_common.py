"""Shared set-up of the benchmarks: services, a fresh schema, timing and the report file.

Every benchmark runs on the embedded defaults (a SQLite file and fakeredis, like a fresh
laptop) unless ``DATABASE_URL``/``REDIS_URL`` are set, and then on those services. The schema
is dropped and rebuilt, and the Redis database flushed, so point them at a database and a
Redis db number used for nothing else (e.g. ``linda_bench`` and ``/10``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"
WEBHOOK_TOKEN = "bench-token-0123456789abcdef"  # noqa: S105 - a throw-away bench app
DATA_KEY = "bench-data-key-0123456789abcdef0123456789"
PYTHON = ".venv/bin/python"

REAL_DB = os.environ.get("DATABASE_URL") or None
REAL_REDIS = os.environ.get("REDIS_URL") or None


def services_label() -> str:
    """``embedded`` (SQLite + fakeredis) or e.g. ``postgresql+redis``."""
    if not REAL_DB and not REAL_REDIS:
        return "embedded"
    db_kind = "postgresql" if REAL_DB and REAL_DB.startswith("postgres") else "sqlite"
    return f"{db_kind}+{'redis' if REAL_REDIS else 'fakeredis'}"


def workdir() -> Path:
    """A private instance directory (and SQLite file) for one run."""
    return Path(tempfile.mkdtemp(prefix="linda-bench-"))


def bench_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment the app (and a ``linda serve`` subprocess) is built from."""
    env = {
        "LINDA_ENV": "testing",
        "DATABASE_URL": REAL_DB or f"sqlite:///{instance / 'linda-bench.sqlite3'}",
        "LINDA_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "LINDA_DATA_KEY": DATA_KEY,
        "SECRET_KEY": "bench-secret-key",
        "LINDA_INSTANCE_PATH": str(instance),
    }
    if REAL_REDIS:
        env["REDIS_URL"] = REAL_REDIS
    env.update(extra)
    return env


def make_app(instance: Path, *, gazetteer: bool = True, **extra: str) -> Any:
    """A fresh app on an empty schema (the gazetteer loaded unless told otherwise)."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db

    app = create_app(env=bench_env(instance, **extra))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        if gazetteer:
            from app.gazetteer.loader import load_gazetteer

            load_gazetteer()
            db.session.commit()
        db.engine.dispose()
    if REAL_REDIS:
        app.extensions["linda_jobs"].connection.flushdb()
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_row(name: str, seconds: Sequence[float]) -> list[str]:
    """``name, n, p50, p95, p99, max`` in milliseconds."""
    s = sorted(seconds)
    return [name, str(len(s)), *(f"{percentile(s, q) * 1000:.1f}" for q in (50, 95, 99)),
            f"{s[-1] * 1000:.1f}" if s else "-"]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (also readable as printed text)."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(r) for r in rows)])


def machine() -> str:
    """One line: date, CPUs, CPU model, Python, services."""
    model = "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}; {os.cpu_count()} cores ({model}); Python {platform.python_version()}; "
            f"{platform.system()} {platform.release()}; services: {services_label()}")


def command_line() -> str:
    """The command that produced the figures, with the service variables it used."""
    prefix = ""
    if REAL_DB:
        prefix += f"DATABASE_URL={REAL_DB} "
    if REAL_REDIS:
        prefix += f"REDIS_URL={REAL_REDIS} "
    script = Path(sys.argv[0]).resolve().relative_to(ROOT)
    return f"{prefix}{PYTHON} {script} {' '.join(sys.argv[1:])}".strip()


def write_section(key: str, title: str, body: str) -> None:
    """Replace (or append) the section ``key`` of docs/PERFORMANCE.md, then say so."""
    begin, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    section = (f"{begin}\n### {title}\n\n`{command_line()}`\n\n{machine()}\n\n"
               f"{body.strip()}\n{end}")
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text)
    print(f"\nwritten to {REPORT.relative_to(ROOT)} (section {key})")
