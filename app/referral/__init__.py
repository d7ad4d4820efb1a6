"""Referral: the responder directory, and sending each case to the nearest people who can act
until one of them accepts it (rules, matching, waves, SMS commands, follow-up)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.referral import receivers, tasks
from app.referral.cli import responders_cli
from app.referral.rules import DEFAULT_PATH, load_rules
from app.worker.reconcile import register_sweeper


def init_app(app: Flask) -> None:
    """Load and check the rules, connect to cases and SMS, register sweepers and commands."""
    app.extensions["linda_referral_rules"] = load_rules(
        Path(app.config.get("REFERRAL_RULES_PATH") or DEFAULT_PATH),
        urgent_seconds=app.config["ACK_TIMEOUT_URGENT_SECONDS"],
        normal_seconds=app.config["ACK_TIMEOUT_NORMAL_SECONDS"])
    receivers.connect()
    register_sweeper(app, "referral-dispatch", tasks.sweep_undispatched)
    register_sweeper(app, "referral-waves", tasks.sweep_waves)
    register_sweeper(app, "referral-follow-up", tasks.sweep_follow_ups)
    register_sweeper(app, "referral-rescue", tasks.sweep_needs_attention)
    app.cli.add_command(responders_cli)
    from app.referral.views import bp

    app.register_blueprint(bp)
