"""The staff dashboard on a million cases: the queue, a case page and the statistics page.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/linda_bench \
    REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/dashboard.py

Builds the data set first (``--cases``, default 1,000,000) with COPY and ``INSERT … SELECT``
over ``generate_series``, never through the ORM: per case one wave, two alerts with their SMS
(one delivered, most accepted), three to four timeline events; plus USSD end-of-session notices.
Secondary indexes are dropped during the load and rebuilt after it. ``--keep`` reuses a data
set of the same size left by an earlier run. Then it rebuilds the statistics roll-ups and times
signed-in requests through the app (Flask test client: the app's own time, no network), and
writes the figures to docs/PERFORMANCE.md. PostgreSQL only: SQLite is not the target for a
million cases.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import (
    REAL_DB,
    bench_env,
    latency_row,
    make_app,
    table,
    workdir,
    write_section,
)

BIG_TABLES = ("cases", "case_events", "alerts", "outbound_sms", "referral_waves",
              "ussd_session_events")
SCREENS = ("ussd.language", "ussd.category", "ussd.urgent", "ussd.location.region",
           "ussd.location.council", "ussd.location.ward", "ussd.landmark", "ussd.confirm")
WEEKS = 104
RESPONDERS = 2000
#: The statistics page as the first viewer after a roll-up refresh sees it (nothing cached).
COLD = "statistics: default 12 weeks, first view after a refresh"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the data of an earlier run with as many cases")
    args = parser.parse_args()
    if not (REAL_DB or "").startswith("postgres"):
        sys.exit("bench/dashboard.py needs DATABASE_URL=postgresql://… (and REDIS_URL)")

    from app import create_app
    from app.extensions import db

    instance = workdir()
    app = create_app(env=bench_env(instance))
    with app.app_context():
        have = _count(db, "cases") if args.keep else -1
    load: dict[str, float] = {}
    if have != args.cases:
        app = make_app(instance)
        with app.app_context():
            load = generate(db, args.cases)
    with app.app_context():
        from app.stats.rollup import refresh

        if load or not _count(db, "stats_case_weeks") > 0:
            started = time.perf_counter()
            refresh(full=True)
            db.session.commit()
            load["statistics roll-ups, full rebuild"] = time.perf_counter() - started
            print(f"roll-ups: {load['statistics roll-ups, full rebuild']:.1f} s", flush=True)
        touched = _touch_recent(db, 1000)
        started = time.perf_counter()
        weeks = refresh()
        db.session.commit()
        load[f"roll-ups after {touched} cases changed ({weeks} weeks)"] = \
            time.perf_counter() - started
        loads = [_uptime()]
        rows = measure(app, db, args.requests)
        loads.append(_uptime())
    report(args.cases, load, rows, loads)


def _count(db: Any, name: str) -> int:
    import sqlalchemy as sa

    try:
        return int(db.session.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608
    except Exception:
        db.session.rollback()
        return -1


def generate(db: Any, n: int) -> dict[str, float]:
    """Fill the big tables; returns seconds per step."""
    import sqlalchemy as sa

    from app.clock import utcnow
    from app.gazetteer.models import Council, Ward
    from app.referral.models import Responder
    from app.referral.roles import ResponderRole

    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    wards = db.session.execute(sa.select(Ward.id, Ward.council_id, Council.region_id)
                               .join(Council, Council.id == Ward.council_id)).all()
    now = utcnow()
    for i in range(RESPONDERS):
        ward_id, council_id, region_id = wards[i % len(wards)]
        r = Responder(name=f"Responder {i}", role=ResponderRole.POLICE_GCD, region_id=region_id,
                      council_id=council_id, ward_id=ward_id, confirmed_at=now)
        r.phone = f"+2557{15000000 + i:08d}"
        db.session.add(r)
    db.session.commit()
    steps[f"{RESPONDERS} responders (ORM: numbers are sealed)"] = time.perf_counter() - t0

    indexes = db.session.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) "
        "AND indexname LIKE 'ix_%'"), {"t": list(BIG_TABLES)}).all()
    for name, _ in indexes:
        db.session.execute(sa.text(f'DROP INDEX "{name}"'))
    db.session.commit()

    t0 = time.perf_counter()
    _copy_references(db, n)
    db.session.execute(sa.text(
        "CREATE TEMP TABLE bench_wards AS SELECT row_number() OVER (ORDER BY w.id) AS k, "
        "w.id AS ward_id, w.council_id, c.region_id FROM wards w "
        "JOIN councils c ON c.id = w.council_id"))
    db.session.execute(sa.text(CASES_SQL), {
        "n": n, "span": WEEKS * 7 * 86400, "responders": RESPONDERS,
        "wards": len(wards)})
    db.session.commit()
    steps[f"{n:,} cases (INSERT … SELECT over generate_series)"] = time.perf_counter() - t0
    print(f"cases: {time.perf_counter() - t0:.1f} s", flush=True)

    sql = _derived_sql()
    for label, statement in sql:
        t0 = time.perf_counter()
        db.session.execute(sa.text(statement), {"responders": RESPONDERS,
                                                "notices": n * 13 // 10})
        db.session.commit()
        steps[label] = time.perf_counter() - t0
        print(f"{label}: {steps[label]:.1f} s", flush=True)
    t0 = time.perf_counter()
    for _, definition in indexes:
        db.session.execute(sa.text(definition))
    for name in BIG_TABLES:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    steps[f"{len(indexes)} secondary indexes rebuilt, ANALYZE"] = time.perf_counter() - t0
    return steps


#: A million cases in one statement. Case numbers: the app's own ``reference_for`` over all
#: 1,000,000 six-digit bodies (leading zeros included), in a scrambled order (7919 is prime to
#: 10^6), loaded by COPY into ``bench_refs``. Status, category and urgency follow fixed shares;
#: places are spread over every ward.
CASES_SQL = """
INSERT INTO cases (id, reference, status, category, urgent, children, seen_when, region_id,
                   council_id, ward_id, callback_consent, language, source, flagged_for_review,
                   lead_responder_id, created_at, updated_at, accepted_at, closed_at)
SELECT g, r.ref, status, category, urgent, 'unknown', 'now', w.region_id, w.council_id,
       w.ward_id, false, 'sw', 'ussd', g % 500 = 0,
       CASE WHEN status IN ('accepted', 'closed') THEN 1 + g % :responders END,
       created, coalesce(closed, accepted, created), accepted, closed
FROM (
  SELECT g, s.status, s.category, s.urgent, s.created,
         CASE WHEN s.status IN ('accepted', 'closed')
              THEN s.created + ((60 + (g * 37) % 7140) || ' seconds')::interval END AS accepted,
         CASE WHEN s.status = 'closed'
              THEN least(s.created + ((1 + g % 9) || ' days')::interval,
                         now() - interval '1 hour') END AS closed
  FROM generate_series(1, :n) AS g,
  LATERAL (SELECT
      CASE WHEN g % 100 < 80 THEN 'closed' WHEN g % 100 < 89 THEN 'accepted'
           WHEN g % 100 < 94 THEN 'needs_attention' WHEN g % 100 < 98 THEN 'referred'
           ELSE 'received' END AS status,
      (ARRAY['forced_labour','forced_labour','forced_labour','transported','transported',
             'begging','sexual_exploitation','false_promise','false_promise','other']
      )[1 + (g * 13) % 10] AS category,
      (g * 7) % 10 < 3 AS urgent,
      now() - (((g::bigint * 104729) % :span) || ' seconds')::interval AS created) AS s
) AS c
JOIN bench_wards w ON w.k = 1 + (c.g * 31) % :wards
JOIN bench_refs r ON r.k = c.g
"""


def _copy_references(db: Any, n: int) -> None:
    """``bench_refs(k, ref)``: case ``k``'s number, made by the app's own code, sent by COPY."""
    import sqlalchemy as sa

    from app.cases.reference import CAPACITY, reference_for

    if n > CAPACITY:
        sys.exit(f"--cases {n:,}: there are only {CAPACITY:,} case numbers")
    db.session.execute(sa.text("CREATE TEMP TABLE bench_refs (k int PRIMARY KEY, ref text)"))
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy("COPY bench_refs (k, ref) FROM STDIN") as copy:
        for k in range(1, n + 1):
            copy.write_row((k, reference_for((k - 1) * 7919 % CAPACITY)))


def _derived_sql() -> list[tuple[str, str]]:
    """Waves, SMS, alerts, events and USSD notices, derived from the cases in SQL."""
    first = "1 + (c.id % :responders)"
    second = "1 + ((c.id * 7 + 3) % :responders)"
    return [
        ("referral waves (INSERT … SELECT)", """
            INSERT INTO referral_waves (id, case_id, number, step, roles, size, reach,
                                        deadline_at, closed_at, created_at)
            SELECT c.id, c.id, 1, 1, '["police_gcd"]'::json, 2, 'region',
                   c.created_at + interval '30 minutes',
                   CASE WHEN c.created_at < now() - interval '1 hour'
                        THEN c.created_at + interval '30 minutes' END, c.created_at
            FROM cases c"""),
        ("alert SMS, 2 per case (generate_series)", f"""
            INSERT INTO outbound_sms (id, to_enc, to_hash, body_enc, purpose, ref_kind, ref_id,
                status, attempts, next_attempt_at, created_at, submitted_at, delivered_at,
                failure_reason, updated_at)
            SELECT (c.id - 1) * 2 + k, 'bench', r.phone_hash, 'bench', 'alert', 'alert',
                   (c.id - 1) * 2 + k,
                   CASE WHEN (c.id + k) % 33 = 0 THEN 'failed' ELSE 'delivered' END, 1,
                   c.created_at, c.created_at, c.created_at + interval '2 seconds',
                   CASE WHEN (c.id + k) % 33 = 0 THEN NULL
                        ELSE c.created_at + ((5 + (c.id * k) % 55) || ' seconds')::interval END,
                   CASE WHEN (c.id + k) % 33 = 0 THEN 'Failed: AbsentSubscriber' END,
                   c.created_at + interval '1 minute'
            FROM cases c CROSS JOIN generate_series(1, 2) AS k
            JOIN responders r ON r.id = CASE WHEN k = 1 THEN {first}
                 ELSE CASE WHEN {second} = {first} THEN 1 + ({first} % :responders)
                      ELSE {second} END END"""),  # noqa: S608 - constants only
        ("alerts, 2 per case (generate_series)", f"""
            INSERT INTO alerts (id, case_id, responder_id, wave_id, status, sms_id, deadline_at,
                                responded_at, created_at, updated_at)
            SELECT (c.id - 1) * 2 + k, c.id,
                   CASE WHEN k = 1 THEN {first}
                        ELSE CASE WHEN {second} = {first} THEN 1 + ({first} % :responders)
                             ELSE {second} END END,
                   c.id,
                   CASE WHEN k = 1 AND c.accepted_at IS NOT NULL THEN
                            CASE WHEN c.status = 'closed' THEN 'done' ELSE 'accepted' END
                        WHEN c.accepted_at IS NOT NULL THEN 'cancelled'
                        WHEN c.status = 'needs_attention' THEN 'expired'
                        ELSE 'delivered' END,
                   (c.id - 1) * 2 + k, c.created_at + interval '30 minutes',
                   CASE WHEN k = 1 THEN c.accepted_at END, c.created_at,
                   coalesce(c.accepted_at, c.created_at + interval '1 minute')
            FROM cases c CROSS JOIN generate_series(1, 2) AS k"""),  # noqa: S608 - constants only
        ("timeline events, 3–4 per case", """
            INSERT INTO case_events (case_id, at, kind, from_status, to_status, actor, detail)
            SELECT c.id, c.created_at, 'created', NULL, 'received', 'reporter',
                   '{"source": "ussd"}'::json FROM cases c
            UNION ALL
            SELECT c.id, c.created_at + interval '1 second', 'refer', 'received', 'referred',
                   'system', '{"wave": 1}'::json FROM cases c WHERE c.status <> 'received'
            UNION ALL
            SELECT c.id, c.accepted_at, 'accept', 'referred', 'accepted', 'system',
                   '{}'::json FROM cases c WHERE c.accepted_at IS NOT NULL
            UNION ALL
            SELECT c.id, c.closed_at, 'close', 'accepted', 'closed', 'system', '{}'::json
            FROM cases c WHERE c.closed_at IS NOT NULL
            UNION ALL
            SELECT c.id, c.created_at + interval '30 minutes', 'exhaust', 'referred',
                   'needs_attention', 'system', '{}'::json
            FROM cases c WHERE c.status = 'needs_attention'"""),
        ("USSD end-of-session notices (generate_series)", f"""
            INSERT INTO ussd_session_events (session_id, status, last_screen, hops_count,
                                             duration_ms, received_at)
            SELECT 'bench-' || g,
                   CASE WHEN g % 20 = 0 THEN 'Failed' WHEN g % 4 = 0 THEN 'Incomplete'
                        ELSE 'Success' END,
                   (ARRAY{list(SCREENS)!r})[1 + (g * 7) % {len(SCREENS)}], 1 + g % 9,
                   1000 + g % 60000,
                   now() - (((g::bigint * 104729) % ({WEEKS} * 7 * 86400)) || ' seconds')::interval
            FROM generate_series(1, :notices) AS g"""),  # noqa: S608 - constants only
    ]


def _touch_recent(db: Any, n: int) -> int:
    """Accept ``n`` recent unaccepted cases, as a busy hour would; the roll-up catches up."""
    import sqlalchemy as sa

    return db.session.execute(sa.text(
        "UPDATE cases SET accepted_at = created_at + interval '5 minutes', updated_at = now(),"
        " status = 'accepted' WHERE id IN (SELECT id FROM cases WHERE accepted_at IS NULL "
        "AND status IN ('referred', 'needs_attention') ORDER BY id DESC LIMIT :n)"),
        {"n": n}).rowcount


def sign_in(app: Any, db: Any) -> Any:
    """A supervisor signed in through the real forms (password change and TOTP included)."""
    import pyotp

    from app.clock import utcnow
    from app.staff.services import create_staff, find_staff, reset_staff

    client = app.test_client()
    if find_staff("bench-supervisor@example.org") is not None:  # a --keep run
        _, one_time = reset_staff("bench-supervisor@example.org")
    else:
        _, one_time = create_staff("bench-supervisor@example.org", "supervisor")
    db.session.commit()

    def post(path: str, data: dict[str, str]) -> Any:
        token = CSRF.search(client.get(path).get_data(as_text=True))
        assert token, path
        return client.post(path, data={"csrf_token": token.group(1), **data})

    post("/staff/signin", {"email": "bench-supervisor@example.org", "password": one_time})
    password = "a long bench password 2026"  # noqa: S105 - a throw-away bench account
    post("/staff/password", {"new_password": password, "repeat_password": password})
    token = CSRF.search(client.get("/staff/totp/enrol").get_data(as_text=True))
    assert token
    db.session.expire_all()
    user = find_staff("bench-supervisor@example.org")
    code = pyotp.TOTP(str(user.totp_secret)).at(utcnow())
    res = client.post("/staff/totp/enrol", data={"csrf_token": token.group(1), "code": code})
    assert res.status_code == 302 and res.location.endswith("/staff/"), res.status_code
    return client


def measure(app: Any, db: Any, count: int) -> list[list[str]]:
    import sqlalchemy as sa

    client = sign_in(app, db)
    refs = [r for (r,) in db.session.execute(sa.text(
        "SELECT reference FROM cases WHERE reference ~ '^[0-9]{7}$' "
        "ORDER BY random() LIMIT :n"), {"n": count})]
    pages: list[tuple[str, Callable[[int], str]]] = [
        ("queue: /staff/ (first page, all cases)", lambda i: "/staff/"),
        ("queue: needs_attention", lambda i: "/staff/?status=needs_attention"),
        ("queue: category begging", lambda i: "/staff/?category=begging"),
        ("case page: /staff/cases/<ref> (random)", lambda i: f"/staff/cases/{refs[i % len(refs)]}"),
        ("statistics: default 12 weeks", lambda i: "/staff/stats/"),
        ("statistics: 52 weeks", lambda i: "/staff/stats/?weeks=52"),
        ("statistics: 104 weeks, one region", lambda i: "/staff/stats/?weeks=104&region=TZ-02"),
        ("statistics, protected (viewer's view)", lambda i: "/staff/stats/?protected=1"),
        (COLD, lambda i: "/staff/stats/"),
    ]
    from app.stats import cache

    rows = []
    for name, url in pages:
        for i in range(3):  # warm caches and the connection pool
            _get(client, url(i))
        times = []
        for i in range(count):
            if name == COLD:
                cache.forget()
            started = time.perf_counter()
            _get(client, url(i))
            times.append(time.perf_counter() - started)
        rows.append(latency_row(name, times))
        print(rows[-1])
    return rows


def _get(client: Any, path: str) -> None:
    res = client.get(path)
    if res.status_code != 200:
        raise SystemExit(f"{path}: HTTP {res.status_code}")


def _uptime() -> str:
    """``uptime``'s load averages now: the machine is shared, and the figures depend on it."""
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"{time.strftime('%H:%M:%S', time.gmtime())} UTC load average {one}, {five}, {fifteen}"


def report(cases: int, load: dict[str, float], rows: list[list[str]],
           loads: list[str]) -> None:
    total = sum(v for k, v in load.items() if "roll-up" not in k)
    body = "\n\n".join([
        f"Data set: {cases:,} cases over {WEEKS} weeks, each with a wave, two alerts and their "
        f"SMS, and 3–4 timeline events; {RESPONDERS} responders; "
        f"{cases * 13 // 10:,} USSD end-of-session notices. "
        "Requests go through the Flask test client as a signed-in supervisor (sessions, CSRF, "
        "role checks and the audit row each page writes included; no network).",
        table(["step", "seconds"], [[k, f"{v:.1f}"] for k, v in load.items()]
              + [["building the data set (all steps but the roll-ups)", f"{total:.1f}"]]),
        table(["page", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows),
        f"`uptime` as the timed requests started: {loads[0]}; as they ended: {loads[-1]}.",
    ])
    write_section("dashboard/postgresql", "Staff dashboard on a million cases", body)


if __name__ == "__main__":
    main()
