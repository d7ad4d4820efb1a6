"""Look for personal data in plain text wherever Linda writes: logs, Redis, jobs, every table."""

from __future__ import annotations

import contextlib
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rq.job import Job

from app.extensions import db


@dataclass(frozen=True)
class Hit:
    where: str  # "log", "redis", "job" or "db"
    place: str  # logger, key, job id or table.column
    needle: str


def _texts(value: Any) -> Iterator[str]:
    """Every readable form of a stored value: text, JSON, and zlib-compressed RQ job data."""
    if value is None:
        return
    if isinstance(value, bytes):
        yield value.decode("latin-1")
        with contextlib.suppress(zlib.error):  # RQ's job ``data``: a compressed pickle
            yield zlib.decompress(value).decode("latin-1")
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict | list | tuple):
        yield json.dumps(value, default=str, ensure_ascii=False)
    else:
        yield str(value)


@dataclass
class Scanner:
    """Collects what Linda wrote, then reports every needle found in it."""

    needles: list[str]
    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def _add(self, where: str, place: str, value: Any) -> None:
        self.seen.extend((where, place, text) for text in _texts(value))

    def logs(self, records: list[logging.LogRecord], handler: logging.Handler) -> None:
        for record in records:
            self._add("log", record.name, record.getMessage())
            self._add("log", record.name, handler.format(record))
            self._add("log", record.name, repr(record.args))

    def redis(self, conn: Any) -> None:
        """Every key and every value (strings, hashes, lists, sets, zsets), and every job."""
        for key in conn.scan_iter(count=1000):
            name = key.decode("latin-1")
            self._add("redis", name, key)
            kind = conn.type(key).decode()
            if kind == "string":
                values: list[Any] = [conn.get(key)]
            elif kind == "hash":
                values = [x for kv in conn.hgetall(key).items() for x in kv]
            elif kind == "list":
                values = conn.lrange(key, 0, -1)
            elif kind == "set":
                values = list(conn.smembers(key))
            elif kind == "zset":
                values = [m for m, _ in conn.zrange(key, 0, -1, withscores=True)]
            else:
                values = []
            for value in values:
                self._add("redis", name, value)
            if kind == "hash" and name.startswith("rq:job:") and name.count(":") == 2:
                job = Job.fetch(name.removeprefix("rq:job:"), connection=conn)
                self._add("job", job.id, repr(job.args))
                self._add("job", job.id, repr(job.kwargs))
                self._add("job", job.id, job.description)

    def database(self) -> None:
        """Every column of every row of every table (text, JSON, anything but numbers)."""
        db.session.commit()
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                for row in conn.execute(sa.select(table)):
                    for column, value in zip(table.columns, row, strict=True):
                        if not isinstance(value, int | float | bool):
                            self._add("db", f"{table.name}.{column.name}", value)

    def hits(self) -> list[Hit]:
        found = {Hit(where, place, needle) for where, place, text in self.seen
                 for needle in self.needles if needle in text}
        return sorted(found, key=lambda h: (h.where, h.place, h.needle))

