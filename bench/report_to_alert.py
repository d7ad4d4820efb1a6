"""Report to alert: the confirming USSD hop → the first responder's alert SMS accepted by the
sandbox messaging API, at a steady ``--rate`` reports per second for ``--seconds``.

Linda runs as in production on PostgreSQL + Redis: ``gunicorn -w --web-workers wsgi:app``
(with the built-in sandbox as Africa's Talking, reached over HTTP by the real SDK) and one
``linda worker`` process (RQ worker, scheduler, reconciler at its default interval). Callers
are simulated from this machine over loopback: report ``k`` starts at ``k / rate`` seconds and
is walked hop by hop as fast as the answers come (urgent forced labour in Kariakoo, a new
phone and session each), so the web processes carry every hop of every report, not only the
confirming one. The clock starts when the confirming hop is sent; it stops at the
``created_at`` of the sandbox's row for the alert (written in the same request that accepts
the SMS, before answering the SDK). Both clocks are this machine's.

The sandbox's delivery reports are held back (``SANDBOX_DLR_DELAY_SECONDS``): in production AT
posts them to the web processes, while the sandbox would post them from Linda's own worker.

    DATABASE_URL=postgresql://…/linda_bench REDIS_URL=redis://…/N \\
        .venv/bin/python bench/report_to_alert.py [--rate 20] [--seconds 60] [--path short|full] \\
        [--before-ref REF]

``--before-ref`` also measures the code of a git revision, served and worked the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _common import (
    ROOT,
    WEBHOOK_TOKEN,
    bench_env,
    latency_row,
    make_app,
    services_label,
    table,
    workdir,
    write_section,
)
from ussd_hop import CODE, _keys_for
from ussd_scale import Server, export

DSM, DSM_CC, KARIAKOO = "TZ-02", "TZ-02-C053", "W01116"
#: The first urgent wave in Kariakoo: its police desk and the council's social welfare officer.
RESPONDERS = (("police_gcd", DSM_CC, KARIAKOO), ("social_welfare", DSM_CC, None),
              ("ward_executive", DSM_CC, KARIAKOO), ("hotline_supervisor", None, None))
#: A report due this many seconds ago is not sent any more (the run stays bounded in time).
LATE = 30.0
REFERENCE = re.compile(r"kumbukumbu:\s*(\d{7})\b")
SLOW_WAVES = {"ACK_TIMEOUT_URGENT_SECONDS": "3600", "ACK_TIMEOUT_NORMAL_SECONDS": "3600",
              "SANDBOX_DLR_DELAY_SECONDS": "3600", "REPORTS_PER_PHONE_PER_DAY": "1000"}


def report_inputs(path: str) -> list[str]:
    """Urgent forced labour in Kariakoo, sent without a call back.

    ``short``: the essentials only, the ward typed by name and picked (the 8-screen report most
    callers make). ``full``: the place from the region, council and ward lists, then every
    detail (fishing, 2-5 children, this week, a landmark, no call back).
    """
    from app.ussd.services import DbProvider

    head = ["1", "1", "2"]  # danger now, 112 read (continue), forced labour
    if path == "short":
        return [*head, "kariakoo", "1", "1"]  # the one match, send now
    provider = DbProvider()
    place = (_keys_for(list(provider.items("regions", None)), DSM, "report.region")
             + _keys_for(list(provider.items("councils", DSM)), DSM_CC, "report.council")
             + _keys_for(list(provider.items("wards", DSM_CC)), KARIAKOO, "report.ward"))
    return [*head, *place, "2", "3", "2", "2", "Near the market", "2", "1"]


def add_responders() -> None:
    from app.clock import utcnow
    from app.extensions import db
    from app.referral.models import Responder
    from app.referral.roles import ResponderRole

    for n, (role, council, ward) in enumerate(RESPONDERS):
        r = Responder(name=f"{role} {n}", role=ResponderRole(role), region_id=DSM,
                      council_id=council, ward_id=ward, on_duty=True, languages="sw",
                      language="sw", confirmed_at=utcnow())
        r.phone = f"+25571390{n:04d}"
        db.session.add(r)
    db.session.commit()


def _callers(args: tuple[int, int, int, float, float, float, list[str]]) -> list[tuple]:
    """One load process: reports ``first, first + step, …`` on their schedule; returns
    ``(k, reference or error, confirm sent at (epoch s), confirm answered after (s))``."""
    port, first, step, rate, seconds, t0, inputs = args
    count = int(rate * seconds)
    mine = list(range(first, count, step))
    out: list[tuple] = []
    lock = threading.Lock()
    threads = 16

    def walk(ks: list[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for k in ks:
            pause = t0 + k / rate - time.time()
            if pause > 0:
                time.sleep(pause)
            if pause < -LATE:  # the server fell this far behind the schedule: stop here
                with lock:
                    out.extend((j, "not sent: behind schedule", 0.0, 0.0)
                               for j in ks[ks.index(k):])
                return
            sid, phone = f"ATUid_r2a_{t0:.0f}_{k}", f"+2557548{k:05d}"
            sent, took, result = 0.0, 0.0, "no answer"
            for i in range(len(inputs) + 1):
                form = {"sessionId": sid, "serviceCode": CODE, "phoneNumber": phone,
                        "networkCode": "64002", "text": "*".join(inputs[:i])}
                start = time.time()
                try:
                    conn.request("POST", f"/at/{WEBHOOK_TOKEN}/ussd", body=urlencode(form),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
                    res = conn.getresponse()
                    body = res.read().decode()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    result = f"error: {type(exc).__name__}"
                    break
                if i == len(inputs):
                    sent, took = start, time.time() - start
                    found = REFERENCE.search(body)
                    result = (found.group(1) if body.startswith("END Asante") and found
                              else body[:60])
                elif res.status != 200 or not body.startswith("CON "):
                    result = f"HTTP {res.status}: {body[:60]}"
                    break
            with lock:
                out.append((k, result, sent, took))

    groups = [mine[t::threads] for t in range(threads)]
    workers = [threading.Thread(target=walk, args=(g,)) for g in groups if g]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return out


def alert_times(references: set[str]) -> dict[str, list[float]]:
    """Case number → when each of its alerts was accepted by the sandbox (epoch seconds)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.sandbox.models import Direction, SandboxMessage

    times: dict[str, list[float]] = {}
    for m in db.session.scalars(sa.select(SandboxMessage).where(
            SandboxMessage.direction == Direction.TO_PHONE)):
        text = m.text
        if text.startswith("Linda kesi ") and text[11:18] in references:
            times.setdefault(text[11:18], []).append(m.created_at.timestamp())
    db.session.rollback()
    return times


def run(name: str, code: Path, instance: Path, args: argparse.Namespace) -> dict:
    """Serve ``code`` on a fresh schema (gazetteer and responders only, Redis empty), work it
    with one worker, drive the reports; the figures of one run."""
    app = make_app(instance, **SLOW_WAVES)
    with app.app_context():
        add_responders()
        inputs = report_inputs(args.path)
    env = {**os.environ, **bench_env(instance, **SLOW_WAVES)}
    log = instance / f"{name.split()[0]}.log"
    server = Server(code, env, args.web_workers, log)
    # As in production, where Africa's Talking is not served by Linda's web processes: with
    # --sandbox-apart the API the worker posts to is another gunicorn (same code and
    # database), so a send does not queue behind the callers' hops.
    api = Server(code, env, args.sandbox_apart, log) if args.sandbox_apart else server
    env.update(AT_API_URL=f"http://127.0.0.1:{api.port}/sandbox/version1",
               SANDBOX_BASE_URL=f"http://127.0.0.1:{api.port}", PYTHONPATH=str(code))
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "worker"],
            cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(3)  # the worker connects and takes its scheduler lock
        load_before = os.getloadavg()
        t0 = time.time() + 1
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.procs) as pool:
            parts = pool.map(_callers, [(server.port, p, args.procs, args.rate, args.seconds,
                                         t0, inputs) for p in range(args.procs)])
        load_after = os.getloadavg()
        results = sorted(r for part in parts for r in part)
        refs = {r[1] for r in results if r[1].isdigit()}
        with app.app_context():
            end = time.time() + args.wait
            times = alert_times(refs)
            while time.time() < end and len(times) < len(refs):
                time.sleep(1)
                times = alert_times(refs)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
        if api is not server:
            api.stop()
    by_ref = {r[1]: r for r in results if r[1] in refs}
    never = [float("inf")] * (len(refs) - len(times))  # not alerted by the end: past p-n
    first = [min(t) - by_ref[ref][2] for ref, t in times.items()] + never
    every = [max(t) - by_ref[ref][2] for ref, t in times.items()] + never
    sent = [r for r in results if not r[1].startswith("not sent")]
    return {"name": name, "reports": len(sent), "cases": len(refs),
            "alerted": len(times), "errors": len(sent) - len(refs),
            "skipped": len(results) - len(sent),
            "confirm": [r[3] for r in results if r[1] in refs], "first": first,
            "every": every, "load": (load_before, load_after),
            "span": max((r[2] for r in results if r[2]), default=t0) - t0,
            "hops": len(inputs) + 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--wait", type=float, default=120,
                        help="seconds to wait after the load for the last alerts")
    parser.add_argument("--before-ref", default=None)
    parser.add_argument("--sandbox-apart", type=int, default=0, metavar="WORKERS",
                        help="serve the sandbox API from its own gunicorn with this many "
                             "workers (0: from the web processes that take the hops)")
    parser.add_argument("--path", choices=("short", "full"), default="short",
                        help="short: essentials, ward typed, send now; full: lists and details")
    args = parser.parse_args()
    if services_label() != "postgresql+redis":
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: one worker process "
                         "and the web processes share them")
    instance = workdir()
    versions = [("now", ROOT)]
    if args.before_ref:
        versions.insert(0, (f"before ({args.before_ref})", export(args.before_ref)))
    runs = []
    for name, code in versions:
        runs.append(run(name, code, instance, args))
        r = runs[-1]
        print(name, {k: v for k, v in r.items() if not isinstance(v, list)}, flush=True)
    rows, info = [], []
    for r in runs:
        rows += [latency_row(f"{r['name']}: confirming hop answered", r["confirm"]),
                 latency_row(f"{r['name']}: confirm → first alert accepted", r["first"]),
                 latency_row(f"{r['name']}: confirm → every first-wave alert accepted",
                             r["every"])]
        (b1, b5, _), (a1, a5, _) = r["load"]
        info.append(f"- {r['name']}: {r['reports']} reports sent over {r['span']:.0f} s "
                    f"({r['reports'] / max(r['span'], 1):.1f}/s), {r['cases']} case numbers "
                    f"given, {r['alerted']} alerted within the run + {args.wait:.0f} s, "
                    f"{r['errors']} hop errors, {r['skipped']} not sent (more than "
                    f"{LATE:.0f} s behind schedule); load average (1 min / 5 min) "
                    f"{b1:.1f} / {b5:.1f} before, {a1:.1f} / {a5:.1f} after")
    body = table(["measure (seconds → ms)", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
    body += ("\n\n" + "\n".join(info) + "\n\n"
             f"{args.rate:.0f} reports/s for {args.seconds:.0f} s, each walked hop by hop "
             f"({runs[-1]['hops']} hops) from {args.procs} load processes; "
             f"gunicorn -w {args.web_workers} (sync) "
             + (f"and the sandbox in its own gunicorn -w {args.sandbox_apart}; "
                if args.sandbox_apart else "with the sandbox; ")
             + "one `linda worker`. "
             "Target: confirm → first alert accepted p95 < 1 s, p99 < 2 s; a case not "
             "alerted by the end counts as infinitely late (`inf`). Measured on "
             f"{dt.datetime.now(dt.UTC):%Y-%m-%d} on a machine shared with other work (see "
             "the load average).")
    print(body)
    apart = "/sandbox-apart" if args.sandbox_apart else ""
    write_section(f"report_to_alert/{args.rate:g}/{args.path}{apart}/{services_label()}",
                  f"Report to alert, {args.rate:.0f} reports/s, {args.path} report, one worker "
                  f"({services_label()})",
                  body)


if __name__ == "__main__":
    main()
