"""The escalation sweep (``sweep_waves``) among many open alerts: does it grow with the number
due, or with the number open?

Waves and alerts are made with SQL (``generate_series``; foreign keys are not checked while
filling, so no cases or responders are needed), on PostgreSQL only: two alerts per open wave,
deadlines in the future, plus as many closed waves of the past (their deadlines long gone).
Then ``--due`` waves at a time are made due, and the sweep's query is timed (``enqueue`` is
replaced by a counter: queueing the jobs grows with the number due by design). The query
before this change (every open wave evaluated) runs on the same rows in the same run.

    DATABASE_URL=postgresql://…/linda_bench_sweep REDIS_URL=redis://…/N \\
        .venv/bin/python bench/sweep.py [--open-alerts 100000 1000000] [--due 10 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import sqlalchemy as sa
from _common import REAL_DB, make_app, table, workdir, write_section

from app.clock import utcnow
from app.extensions import db
from app.referral import services, tasks
from app.referral.models import Alert, ReferralWave
from app.referral.status import WAITING
from app.sms.models import OutboundSms


def before_query() -> Any:
    """The sweep's query as it was: both subqueries for every open wave."""
    waiting = sa.select(Alert.id).where(Alert.wave_id == ReferralWave.id,
                                        Alert.status.in_(WAITING)).exists()
    undelivered = sa.select(Alert.id).join(OutboundSms, OutboundSms.id == Alert.sms_id).where(
        Alert.wave_id == ReferralWave.id, Alert.status.in_(WAITING),
        OutboundSms.status.in_(services.SMS_FAILED)).exists()
    return sa.select(ReferralWave.id).where(
        ReferralWave.closed_at.is_(None),
        sa.or_(ReferralWave.deadline_at <= utcnow(), ~waiting, undelivered))


def fill(open_waves: int) -> None:
    """``open_waves`` open waves (2 alerts each) and as many closed ones, all in SQL."""
    sql = [
        "TRUNCATE alerts, referral_waves RESTART IDENTITY",
        "SET session_replication_role = replica",  # no foreign key checks while filling
        """INSERT INTO referral_waves (case_id, number, step, roles, size, reach,
              deadline_at, closed_at, created_at)
            SELECT g, 1, 1, '["police"]', 2, 'ward',
              CASE WHEN g % 2 = 0 THEN now() + interval '1 hour' + (g % 600) * interval '1 s'
                   ELSE now() - interval '30 days' END,
              CASE WHEN g % 2 = 0 THEN NULL ELSE now() - interval '29 days' END,
              now() - interval '1 day'
            FROM generate_series(1, :n) g""",
        """INSERT INTO alerts (case_id, responder_id, wave_id, status, sms_id, deadline_at,
              created_at, updated_at)
            SELECT w.case_id * 2 + k, k + 1, w.id,
              CASE WHEN w.closed_at IS NULL THEN 'sent' ELSE 'declined' END, NULL,
              w.deadline_at, w.created_at, w.created_at
            FROM referral_waves w, generate_series(0, 1) k""",
        "SET session_replication_role = DEFAULT",
        "ANALYZE referral_waves",
        "ANALYZE alerts",
    ]
    with db.engine.begin() as conn:
        for statement in sql:
            conn.execute(sa.text(statement), {"n": 2 * open_waves} if ":n" in statement else {})


def make_due(count: int) -> None:
    """Exactly ``count`` open waves past their deadline (the others back in the future)."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text("UPDATE referral_waves SET deadline_at = now() + interval '1 hour'"
                             " WHERE closed_at IS NULL AND deadline_at <= now()"))
        conn.execute(sa.text("""UPDATE referral_waves SET deadline_at = now() - interval '1 min'
            WHERE id IN (SELECT id FROM referral_waves WHERE closed_at IS NULL
                         ORDER BY id LIMIT :n)"""), {"n": count})


def timed(run: Any, repeat: int) -> tuple[float, int]:
    found, times = 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        found = run()
        db.session.rollback()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, found


def server_ms(run: Any) -> float:
    """PostgreSQL's own execution time of the last statement ``run`` sends (EXPLAIN ANALYZE):
    what the database spends, without this loaded machine's scheduling around it."""
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        sent.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
    statement, params = sent[-1]
    with db.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0][0]
    return float(plan["Execution Time"]) + float(plan["Planning Time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-alerts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (REAL_DB or "").startswith("postgres"):
        raise SystemExit("bench/sweep.py needs DATABASE_URL=postgresql://…")
    app = make_app(workdir(), gazetteer=False)
    tasks.enqueue = lambda *a, **k: True  # count what is found; queueing is not the question
    rows = []
    with app.app_context():
        for open_alerts in args.open_alerts:
            start = time.perf_counter()
            fill(open_alerts // 2)
            print(f"filled {open_alerts} open alerts in {time.perf_counter() - start:.0f} s",
                  flush=True)
            for due in args.due:
                make_due(due)
                now_ms, found = timed(tasks.sweep_waves, args.repeat)
                before_ms, before_found = timed(  # seconds each at 1M: fewer runs
                    lambda: len(db.session.scalars(before_query()).all()), min(3, args.repeat))
                assert found == before_found == due, (found, before_found, due)
                server = statistics.median(server_ms(tasks.sweep_waves) for _ in range(3))
                rows.append([f"{open_alerts:,}", f"{open_alerts:,}", f"{due:,}",
                             f"{before_ms:.1f}", f"**{now_ms:.1f}**", f"{server:.1f}"])
                print(rows[-1], flush=True)
    body = table(["open alerts", "closed alerts", "waves due", "before: ms (median)",
                  "now: ms (median)", "now: planning + execution in PostgreSQL, ms"], rows)
    body += (f"\n\nMedian of {args.repeat} runs (3 before) of the sweep's query "
             "(`sweep_waves` with `enqueue` counting only), two alerts per wave; as many "
             "closed waves as open ones, deadlines long past. Target: < 50 ms, growing with "
             "the number due, not the number open.")
    print(body)
    write_section("sweep/postgresql", "Escalation sweep among open alerts (postgresql)", body)


if __name__ == "__main__":
    main()
