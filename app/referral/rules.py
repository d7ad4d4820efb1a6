"""Referral rules as reviewed data: which roles each wave alerts, how many, for how long.

Pure: ``parse_rules`` takes the TOML text and the two default deadlines and returns a
``RuleBook`` or raises ``RulesError`` naming the table, the wave and how to fix it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from app.cases.vocabulary import CaseCategory
from app.config import ConfigError
from app.referral.roles import ResponderRole

DEFAULT_PATH: Final = Path(__file__).parent / "rules.toml"
URGENCIES: Final = ("urgent", "normal")
#: Administrative closeness, nearest first; a wave's ``reach`` is the widest tier it uses.
REACH: Final = ("ward", "council", "region", "national")


class RulesError(ConfigError):
    """The rules file is malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class WavePlan:
    roles: tuple[ResponderRole, ...]
    responders: int
    deadline_seconds: int
    reach: str = "region"

    @property
    def max_tier(self) -> int:
        return REACH.index(self.reach)


@dataclass(frozen=True)
class RuleBook:
    plans: Mapping[tuple[str, str], tuple[WavePlan, ...]]

    def waves_for(self, category: str, urgent: bool) -> tuple[WavePlan, ...]:
        """The waves of a case: its category's table, else the default one."""
        urgency = "urgent" if urgent else "normal"
        return self.plans.get((category, urgency)) or self.plans[("default", urgency)]


def parse_rules(text: str, *, urgent_seconds: int, normal_seconds: int,
                source: str = "rules.toml") -> RuleBook:
    """Parse and check the rules.

    Raises:
        RulesError: bad TOML, an unknown category, urgency, role or reach, an empty wave, a
            non-positive count or deadline, or no default table for an urgency.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: not valid TOML: {exc}") from None
    categories = {c.value for c in CaseCategory} | {"default"}
    plans: dict[tuple[str, str], tuple[WavePlan, ...]] = {}
    for category, tables in data.items():
        if category not in categories:
            raise RulesError(f"{source}: unknown category [{category}]: use one of "
                             f"{', '.join(sorted(categories))}")
        if not isinstance(tables, dict):
            raise RulesError(f"{source}: [{category}] must be a table of urgent/normal")
        for urgency, table in tables.items():
            where = f"{source}: [{category}.{urgency}]"
            if urgency not in URGENCIES:
                raise RulesError(f"{where}: unknown urgency {urgency!r}: use urgent or normal")
            default = urgent_seconds if urgency == "urgent" else normal_seconds
            plans[(category, urgency)] = _parse_waves(where, table, default)
    for urgency in URGENCIES:
        if ("default", urgency) not in plans:
            raise RulesError(f"{source}: no [default.{urgency}] table: every case needs a rule")
    return RuleBook(plans)


def _parse_waves(where: str, table: Any, default_deadline: int) -> tuple[WavePlan, ...]:
    waves = table.get("waves") if isinstance(table, dict) else None
    if not isinstance(waves, list) or not waves:
        raise RulesError(f"{where}: needs a non-empty list `waves = [...]`")
    out = []
    for number, wave in enumerate(waves, start=1):
        at = f"{where} wave {number}"
        if not isinstance(wave, dict):
            raise RulesError(f"{at}: must be a table {{ roles = [...], responders = N }}")
        unknown = set(wave) - {"roles", "responders", "deadline", "reach"}
        if unknown:
            raise RulesError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}")
        raw_roles = wave.get("roles")
        if not isinstance(raw_roles, list) or not raw_roles:
            raise RulesError(f"{at}: empty wave: list at least one role in `roles`")
        roles = []
        for raw in raw_roles:
            try:
                roles.append(ResponderRole(raw))
            except ValueError:
                known = ", ".join(r.value for r in ResponderRole)
                raise RulesError(f"{at}: unknown role {raw!r}: use one of {known}") from None
        count = wave.get("responders", len(roles))
        deadline = wave.get("deadline", default_deadline)
        reach = wave.get("reach", "region")
        for name, value in (("responders", count), ("deadline", deadline)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise RulesError(f"{at}: `{name}` must be a whole number above zero")
        if reach not in REACH:
            raise RulesError(f"{at}: unknown reach {reach!r}: use one of {', '.join(REACH)}")
        out.append(WavePlan(tuple(roles), count, deadline, reach))
    return tuple(out)


def load_rules(path: Path, *, urgent_seconds: int, normal_seconds: int) -> RuleBook:
    """Read and check a rules file.

    Raises:
        RulesError: the file is missing or malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"cannot read referral rules {path}: {exc.strerror}") from None
    return parse_rules(text, urgent_seconds=urgent_seconds, normal_seconds=normal_seconds,
                       source=path.name)
