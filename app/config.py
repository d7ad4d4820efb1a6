"""Every setting Linda reads, in one place, parsed strictly.

The table in ``SETTINGS`` is the single list of environment variables; the README and
docs/interface.md describe the same names. Secrets are generated into ``instance/`` on a laptop
so that the first run needs no set-up, but never in production.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use true or false")


def parse_positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number of seconds") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be greater than zero")
    return value


def parse_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return value


def parse_str(name: str, raw: str) -> str:
    return raw.strip()


def parse_log_format(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"text", "json"}:
        raise ConfigError(f"{name}={raw!r} is unknown: use text or json")
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(name: str, raw: str) -> int:
    """``90s``, ``15m``, ``12h``, ``30d`` (a bare number is seconds) as whole seconds."""
    value = raw.strip().lower()
    unit = value[-1:] if value[-1:] in _UNITS else "s"
    number = value[:-1] if value[-1:] in _UNITS else value
    if not number.isdigit() or int(number) <= 0:
        raise ConfigError(f"{name}={raw!r} is not a duration: write e.g. 30d, 12h, 15m or 90s")
    return int(number) * _UNITS[unit]


def parse_durations(name: str, raw: str) -> tuple[int, ...]:
    """A comma-separated list of durations, e.g. ``30d,90d,180d``, in increasing order."""
    values = tuple(parse_duration(name, part) for part in raw.split(",") if part.strip())
    if not values or list(values) != sorted(set(values)):
        raise ConfigError(f"{name}={raw!r} must list increasing durations, e.g. 30d,90d,180d")
    return values


@dataclass(frozen=True)
class Setting:
    """One environment variable: its parser and its default (None means unset)."""

    name: str
    parse: Callable[[str, str], Any]
    default: Any
    secret: bool = False
    help: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("LINDA_ENV", parse_str, "development", help="development or production"),
    Setting("DATABASE_URL", parse_str, None, help="SQLAlchemy URL; SQLite under instance/"),
    Setting("REDIS_URL", parse_str, None, help="Redis URL; unset = embedded in-process"),
    Setting("SECRET_KEY", parse_str, None, secret=True, help="session signing"),
    Setting("LINDA_DATA_KEY", parse_str, None, secret=True, help="personal data encryption"),
    Setting("LINDA_WEBHOOK_TOKEN", parse_str, None, secret=True, help="callback path secret"),
    Setting("AT_USERNAME", parse_str, None, help="Africa's Talking username"),
    Setting("AT_API_KEY", parse_str, None, secret=True, help="Africa's Talking API key"),
    Setting("AT_API_URL", parse_str, None, help="base URL the SDK talks to"),
    Setting("AT_SENDER_ID", parse_str, None, help="SMS sender id"),
    Setting("AT_SHORTCODE", parse_str, None, help="shortcode responders reply to"),
    Setting("USSD_SERVICE_CODE", parse_str, "*149*46#", help="code reporters dial"),
    Setting("ACK_TIMEOUT_URGENT_SECONDS", parse_positive_int, 600),
    Setting("ACK_TIMEOUT_NORMAL_SECONDS", parse_positive_int, 3600),
    Setting("RECONCILE_INTERVAL_SECONDS", parse_positive_int, 30),
    Setting("HOTLINE_PHONE", parse_str, "116",
            help="the number help and error replies tell people to call"),
    Setting("METRICS_TOKEN", parse_str, None, secret=True,
            help="bearer token for /metrics from other hosts; unset: loopback only"),
    Setting("FOLLOWUP_SCHEDULE", parse_durations, (30 * 86400, 90 * 86400, 180 * 86400),
            help="check-ins after a child is returned or placed: durations with units s m h d"),
    # Extensions to the contract (documented in the README).
    Setting("FOLLOW_UP_AFTER_SECONDS", parse_positive_int, 86400,
            help="remind the lead responder when a case stays open this long"),
    Setting("ALERT_MAX_AGE_SECONDS", parse_positive_int, 21600,
            help="an outbound SMS older than this is expired instead of sent late"),
    Setting("REPORTS_PER_PHONE_PER_DAY", parse_positive_int, 5,
            help="reports beyond this from one phone in a day are held for staff review"),
    Setting("CALLBACK_MAX_BYTES", parse_positive_int, 8192,
            help="largest callback body accepted (413 beyond); AT's are well under 2 KiB"),
    Setting("STATUS_CHECKS_PER_PHONE_PER_HOUR", parse_positive_int, 10,
            help="USSD case status checks one phone may make in an hour"),
    Setting("INBOUND_SMS_PER_NUMBER_PER_HOUR", parse_positive_int, 30,
            help="SMS from one number acted on in an hour; beyond: stored, sender told once"),
    Setting("RETENTION_CLOSED_CASE_DAYS", parse_positive_int, 180,
            help="days after closing when a case's personal fields and staff notes are "
                 "destroyed"),
    Setting("RETENTION_MESSAGE_DAYS", parse_positive_int, 180,
            help="days after which SMS bodies and numbers, SMS-report conversations and "
                 "coordination texts are emptied, and spooled reports deleted"),
    Setting("RETENTION_SANDBOX_HOURS", parse_positive_int, 24,
            help="hours after which sandbox phones and messages are deleted"),
    Setting("AT_TIMEOUT_SECONDS", parse_positive_int, 10, help="read timeout of SDK calls"),
    Setting("SMS_REPORT_REPLIES_PER_DAY", parse_positive_int, 20,
            help="SMS a reporting conversation may send one number in a day"),
    Setting("SMS_REPORT_IDLE_HOURS", parse_positive_int, 72,
            help="a reporting conversation by SMS silent this long starts again"),
    Setting("LINDA_EMBEDDED_WORKER", parse_bool, True,
            help="run the in-process worker in `linda serve` when REDIS_URL is unset"),
    Setting("LOG_FORMAT", parse_log_format, "text",
            help="text, or json: one JSON object a line with the request id"),
    Setting("WEB_SERVER", parse_str, "auto",
            help="`linda serve`: auto (gunicorn in production, else waitress), gunicorn, waitress"),
    Setting("WEB_WORKERS", parse_positive_int, None,
            help="gunicorn worker processes of `linda serve`; unset: 2 x cores + 1"),
    Setting("FOLLOWUP_ANSWER_WITHIN", parse_duration, 7 * 86400,
            help="a check-in unanswered this long goes to the hotline supervisors"),
    Setting("FOLLOWUP_RETRY_AFTER", parse_duration, 7 * 86400,
            help="a check-in answered 'could not reach' is asked again this much later"),
    Setting("PLACEMENT_TIMEOUT_SECONDS", parse_positive_int, 7200,
            help="time a centre has to answer a placement request before the next is asked"),
    Setting("BROADCAST_PER_MINUTE", parse_positive_int, 60,
            help="coordination messages leave the outbox at this steady rate"),
    # The staff dashboard (app/staff).
    Setting("STAFF_IDLE_TIMEOUT_SECONDS", parse_positive_int, 1800,
            help="a dashboard session unused this long ends"),
    Setting("STAFF_SESSION_MAX_SECONDS", parse_positive_int, 43200,
            help="a dashboard session ends this long after sign-in, used or not"),
    Setting("STAFF_QUEUE_REFRESH_SECONDS", parse_positive_int, 10,
            help="how often the open queue and case pages refresh themselves"),
    Setting("STAFF_SECURE_COOKIES", parse_bool, False,
            help="Secure cookie flag outside production (always on in production)"),
    # The built-in AT sandbox (app/sandbox).
    Setting("SANDBOX_DLR_DELAY_SECONDS", parse_seconds, None,
            help="delay of sandbox delivery reports; unset: 1, or 0 when LINDA_ENV=testing"),
    Setting("SANDBOX_BASE_URL", parse_str, None,
            help="where the sandbox posts Linda's callbacks; unset: `linda serve`'s own address"),
    Setting("SANDBOX_TIMEOUT_SECONDS", parse_seconds, 12.0,
            help="how long a sandbox phone in timeout mode keeps the sender waiting"),
)

SECRET_NAMES = ("SECRET_KEY", "LINDA_DATA_KEY", "LINDA_WEBHOOK_TOKEN")


def load_settings(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Read every setting from ``env``; generate missing secrets unless in production.

    Raises:
        ConfigError: a value is malformed, or a secret is missing in production.
    """
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name)
        if raw is None or raw.strip() == "":
            config[setting.name] = setting.default
        else:
            config[setting.name] = setting.parse(setting.name, raw)

    if config["LINDA_ENV"] not in {"development", "production", "testing"}:
        raise ConfigError(
            f"LINDA_ENV={config['LINDA_ENV']!r} is unknown: use development or production"
        )
    production = config["LINDA_ENV"] == "production"
    if config["WEB_SERVER"] not in {"auto", "gunicorn", "waitress"}:
        raise ConfigError(f"WEB_SERVER={config['WEB_SERVER']!r} is unknown: use auto, gunicorn "
                          "or waitress")

    for name in SECRET_NAMES:
        if config[name]:
            continue
        if production:
            raise ConfigError(
                f"{name} is not set: production never generates secrets; "
                f"set {name} in the environment or .env"
            )
        config[name] = _instance_secret(instance_path, name)

    check_secrets(config, production=production)

    if not config["DATABASE_URL"]:
        if production:
            raise ConfigError("DATABASE_URL is not set: production needs a real database")
        instance_path.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'linda.sqlite3'}"
    if production and not config["REDIS_URL"]:
        raise ConfigError("REDIS_URL is not set: production needs Redis for the worker queue")
    if bool(config["AT_USERNAME"]) != bool(config["AT_API_KEY"]):
        given, missing = (("AT_USERNAME", "AT_API_KEY") if config["AT_USERNAME"]
                          else ("AT_API_KEY", "AT_USERNAME"))
        raise ConfigError(f"{given} is set but {missing} is not: set both for a real Africa's "
                          "Talking account, or neither to use the built-in sandbox")
    if production and not (config["AT_USERNAME"] and config["AT_API_KEY"]):
        raise ConfigError("AT_USERNAME and AT_API_KEY are not set: production sends real SMS")

    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    config["SECRET_KEY"] = config["SECRET_KEY"]
    return config


#: Production secrets: at least this long, with at least this many different characters.
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 12
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def check_secrets(config: Mapping[str, Any], *, production: bool) -> None:
    """Refuse a malformed data key anywhere, and weak secrets in production.

    Raises:
        ConfigError: one line naming the setting and how to make a good one.
    """
    from app.privacy import DataKeyError, parse_data_key

    try:
        keys = parse_data_key(config["LINDA_DATA_KEY"])
    except DataKeyError as exc:
        raise ConfigError(f"LINDA_DATA_KEY is malformed: {exc}") from None
    if not production:
        return
    named = [("SECRET_KEY", config["SECRET_KEY"]),
             ("LINDA_WEBHOOK_TOKEN", config["LINDA_WEBHOOK_TOKEN"]),
             *((f"LINDA_DATA_KEY (version {v})", k) for v, k in keys.items())]
    for name, value in named:
        if len(value) < MIN_SECRET_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS:
            raise ConfigError(
                f"{name} is too weak: production needs at least {MIN_SECRET_LENGTH} random "
                f"characters; make one with {HOW_TO_MAKE}")


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms operators paste in.

    Raises:
        ConfigError: the URL names no database dialect we can use.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            f"DATABASE_URL must start with postgresql:// or sqlite:///, "
            f"got {url.split(':', 1)[0]!r}"
        )
    return url


def _instance_secret(instance_path: Path, name: str) -> str:
    """Return the secret stored in ``instance/``, creating it once with a warning."""
    path = instance_path / f"{name.lower()}.secret"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n")
    os.chmod(path, 0o600)
    log.warning("%s was not set: generated one into %s (never do this in production)", name, path)
    return value
