"""The rows of an all-or-nothing CSV import, for every directory that has one (responders,
centres): one reader decides how a bad header, an unreadable file, a bad row and a repeated
row are told, so both imports answer alike, line by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


class ImportFileError(ValueError):
    """The file cannot be imported; ``errors`` lists ``line N: reason`` for every bad row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def read_rows(content: str, header: Sequence[str], parse_row: Callable[[int, dict[str, str]], T],
              key: Callable[[T], Hashable], repeated: Callable[[T, int], str], *,
              header_hint: str = "") -> tuple[list[T], list[str]]:
    """Every good row, and ``line N: reason`` for every bad or repeated one, in file order.

    ``parse_row`` raises ``ValueError`` with the reason; ``repeated(row, first_line)`` words
    a row whose ``key`` an earlier line had.

    Raises:
        ImportFileError: the header lacks a column, or the file is not readable as CSV.
    """
    # newline="": the csv module reads every line ending itself (a lone \r included).
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    try:
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in header if c not in columns]
        if missing:
            raise ImportFileError([f"line 1: missing column(s) {', '.join(missing)}; the "
                                   f"header must be {','.join(header)}{header_hint}"])
        reader.fieldnames = columns
        rows: list[T] = []
        errors: list[str] = []
        seen: dict[Hashable, int] = {}
        for record in reader:
            line = reader.line_num
            try:
                row = parse_row(line, {k: (v or "").strip() for k, v in record.items() if k})
            except ValueError as exc:
                errors.append(f"line {line}: {exc}")
                continue
            if (first := seen.get(key(row))) is not None:
                errors.append(f"line {line}: {repeated(row, first)}")
                continue
            seen[key(row)] = line
            rows.append(row)
    except csv.Error as exc:  # a quote never closed, a NUL byte...
        raise ImportFileError([f"line {reader.line_num or 1}: not readable as CSV ({exc})"]
                              ) from None
    return rows, errors
