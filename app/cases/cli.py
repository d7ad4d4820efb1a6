"""``linda cases list`` and ``linda cases show REF``: what hotline staff need until the dashboard
exists. Every use is audited (actor "cli:<os user>"). A list never shows the reporter's number
or what they typed; ``show`` shows the number only when the reporter agreed to be called back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.cases.models import Case, CaseEventRecord
from app.cases.reference import is_valid_reference
from app.cases.services import NotHeldError, find_by_reference, release_case
from app.cases.status import CaseStatus
from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import council_label
from app.privacy import mask_phone, strip_controls
from app.referral.models import Alert, ReferralWave, Responder
from app.staff.services import audit, cli_actor

STATUSES = [s.value for s in CaseStatus]


@click.group("cases", help="Look at cases (hotline staff; every use is audited).")
def cases_cli() -> None:
    pass


@cases_cli.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="only cases in this status")
@click.option("--needs-attention", is_flag=True,
              help="only cases nobody accepted (same as --status needs_attention)")
@click.option("--held", is_flag=True,
              help="only reports held for review (past a phone's daily limit, sent to nobody)")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="at most this many cases, newest first")
@with_appcontext
def list_command(status: str | None, needs_attention: bool, held: bool, limit: int) -> None:
    """One line per case: number, status, category, urgency, place, created, lead, flag."""
    if needs_attention:
        if status not in (None, CaseStatus.NEEDS_ATTENTION.value):
            raise click.UsageError("--needs-attention and --status "
                                   f"{status} ask for different cases: give one of them")
        status = CaseStatus.NEEDS_ATTENTION.value
    query = sa.select(Case).order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Case.status == CaseStatus(status))
    if held:
        query = query.where(Case.held_at.is_not(None))
    cases = list(db.session.scalars(query))
    audit(cli_actor(), "cases.list", "case", None, status=status, held=held, limit=limit,
          shown=len(cases))
    db.session.commit()
    if not cases:
        what = " ".join(w for w in ("held" if held else None, status) if w)
        click.echo(f"no {what} cases" if what else "no cases")
        return
    rows = [("CASE", "STATUS", "CATEGORY", "URGENT", "PLACE", "CREATED (UTC)", "LEAD",
             "FLAGGED")]
    rows += [(c.reference, c.status.value, c.category.value, _yes(c.urgent), place_label(c),
              _when(c.created_at), _yes(c.lead_responder_id is not None),
              "held" if c.held_at else _yes(c.flagged_for_review)) for c in cases]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@cases_cli.command("show")
@click.argument("reference")
@with_appcontext
def show_command(reference: str) -> None:
    """Everything about case REFERENCE: details, alerts and the timeline."""
    case = _case_or_fail(reference)
    audit(cli_actor(), "cases.show", "case", case.id)
    db.session.commit()
    for line in describe(case):
        click.echo(strip_controls(line, keep_lines=False))  # no escapes reach the terminal


@cases_cli.command("release")
@click.argument("reference")
@with_appcontext
def release_command(reference: str) -> None:
    """Send a held report (past its phone's daily limit) to responders after review."""
    case = _case_or_fail(reference)
    try:
        release_case(case, actor=cli_actor())
    except NotHeldError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"case {case.reference} released: it goes to responders now")


def _case_or_fail(reference: str) -> Case:
    ref = "".join(reference.split()).replace("-", "")
    if not is_valid_reference(ref):
        raise click.ClickException(f"{reference!r} is not a case number (7 digits, the last "
                                   "a check digit): check it for a typo")
    case = find_by_reference(ref)
    if case is None:
        raise click.ClickException(f"there is no case {ref}")
    return case


def describe(case: Case) -> list[str]:
    """The lines ``linda cases show`` prints."""
    kind = case.category.value + (f" ({case.labour_kind.value})" if case.labour_kind else "")
    lines = [
        f"Case {case.reference}: {case.status.value}",
        f"  category   {kind}, {'urgent' if case.urgent else 'not urgent'}, children "
        f"{case.children.value}, seen {case.seen_when.value}",
        f"  place      {place_label(case)}",
        f"  landmark   {case.landmark or '-'}",
        f"  details    {case.details or '-'}",
        f"  reporter   {_reporter(case)}",
        f"  language   {case.language}, reported by {case.source.value}",
        f"  created    {_when(case.created_at)} UTC",
    ]
    if case.flagged_for_review:
        lines.append(f"  flagged    {case.flag_reason or 'yes'}"
                     + (f"; held since {_when(case.held_at)} UTC: `linda cases release "
                        f"{case.reference}` sends it to responders" if case.held_at else ""))
    if case.lead_responder_id is not None:
        lead = db.session.get(Responder, case.lead_responder_id)
        who = f"{lead.name} ({lead.role.value})" if lead else f"responder {case.lead_responder_id}"
        lines.append(f"  lead       {who}, since {_when(case.accepted_at)} UTC")
    if case.closed_at is not None:
        lines.append(f"  closed     {_when(case.closed_at)} UTC, outcome: {case.outcome or '-'}")

    alerts = db.session.execute(
        sa.select(Alert, Responder, ReferralWave.number)
        .join(Responder, Responder.id == Alert.responder_id)
        .join(ReferralWave, ReferralWave.id == Alert.wave_id)
        .where(Alert.case_id == case.id).order_by(Alert.id)).all()
    lines.append(f"Alerts ({len(alerts)}):")
    lines += [f"  wave {number}  {r.name} ({r.role.value})  {a.status.value}  sent "
              f"{_when(a.created_at)}" + (f"  answered {_when(a.responded_at)}"
                                          if a.responded_at else "")
              + (f"  ({a.reason})" if a.reason else "")
              for a, r, number in alerts] or ["  none"]

    events = db.session.scalars(sa.select(CaseEventRecord).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.id)).all()
    lines.append("Timeline (UTC):")
    lines += [f"  {_when(e.at, seconds=True)}  {e.kind}"
              + (f"  {e.from_status} -> {e.to_status}" if e.to_status else "")
              + f"  by {e.actor}" + (f"  {_detail(e.detail)}" if e.detail else "")
              for e in events]
    return lines


def place_label(case: Case) -> str:
    """"Kariakoo, Ilala (Dar es Salaam CC), Dar es Salaam": ward, council, region."""
    ward = db.session.get(Ward, case.ward_id) if case.ward_id else None
    council = db.session.get(Council, case.council_id)
    region = db.session.get(Region, case.region_id)
    parts = [ward.name if ward else None, council_label(council) if council else None,
             region.name if region else None]
    return ", ".join(p for p in parts if p)


def _reporter(case: Case) -> str:
    phone = case.reporter_phone
    if not phone:
        return "no number"
    if case.callback_consent:
        return f"{phone} (agreed to be called back)"
    return f"{mask_phone(phone)} (did not agree to be called back)"


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items())


def _when(at: datetime | None, *, seconds: bool = False) -> str:
    if at is None:
        return "-"
    return at.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _yes(value: bool) -> str:
    return "yes" if value else "no"
