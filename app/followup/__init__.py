"""After a case closes: numbered outcomes, and check-ins against re-trafficking."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sweepers, ``linda followup`` and the reopen receiver."""
    from app.cases.services import case_status_changed
    from app.followup.cli import followup_cli
    from app.followup.tasks import sweep_due, sweep_overdue
    from app.followup.views import bp
    from app.worker.reconcile import register_sweeper

    case_status_changed.connect(_on_case_status_changed, weak=False)
    app.cli.add_command(followup_cli)
    app.register_blueprint(bp)
    register_sweeper(app, "followup-due", sweep_due)
    register_sweeper(app, "followup-overdue", sweep_overdue)


def _on_case_status_changed(case: Any, *, event: Any = None, **_: Any) -> None:
    """A case reopened (by staff, or after a concern) needs no more scheduled check-ins."""
    from app.cases.status import CaseEvent

    if event is CaseEvent.REOPEN:
        from app.followup.services import cancel_pending

        cancel_pending(case)
