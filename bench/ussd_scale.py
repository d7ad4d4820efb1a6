"""USSD hops against the same app's bare ``GET /healthz`` under gunicorn (4 sync workers), and
hop latency at a steady rate; the code before this change and now, in one run.

Both versions run as ``gunicorn -w 4 wsgi:app`` on the same schema, PostgreSQL and Redis. The
load comes from this machine over loopback: ``--procs`` processes with ``--concurrency``
connections in all, each walking real report sessions hop by hop (the same session id, the
text growing as AT sends it; phones from a pool of 2,000), or asking ``/healthz``. Throughput
runs are closed loops of ``--seconds`` each, healthz and hops alternating, ``--rounds`` times;
the latency run sends ``--rate`` hops per second on a fixed schedule for ``--seconds``.

    DATABASE_URL=postgresql://… REDIS_URL=redis://…/N .venv/bin/python bench/ussd_scale.py \
        [--before-ref main] [--seconds 10] [--rounds 3] [--rate 200]

``--before-ref`` is a git revision (``LABEL=REV`` names it in the table) whose code is exported
to a temporary folder and served the same way; repeat it to measure each step of a series in
one run (omit it to measure only the working tree).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from _common import (
    ROOT,
    WEBHOOK_TOKEN,
    bench_env,
    free_port,
    make_app,
    percentile,
    services_label,
    table,
    workdir,
    write_section,
)
from ussd_hop import CODE, plan_sessions


def export(ref: str) -> Path:
    """The code of ``ref`` in a temporary folder (``git archive``)."""
    target = Path(tempfile.mkdtemp(prefix="linda-before-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT,  # noqa: S603, S607
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)],  # noqa: S603, S607
                   input=archive, check=True)
    return target


class Server:
    """``gunicorn -w 4 wsgi:app`` serving the code in ``code`` (``threads`` > 1: gthread
    workers with that many threads each, as ``deploy/gunicorn.conf.py`` runs them)."""

    def __init__(self, code: Path, env: dict[str, str], workers: int, log: Path,
                 threads: int = 1) -> None:
        self.port = free_port()
        env = {**env, "PYTHONPATH": str(code)}
        with log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
                 f"127.0.0.1:{self.port}", "--timeout", "30",
                 *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else []),
                 "wsgi:app"],
                cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        end = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > end or self.proc.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.3)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def _forms(sessions: list, tag: str) -> Iterator[tuple[dict[str, str], bool]]:
    for n in itertools.count():
        session = sessions[n % len(sessions)]
        sid = f"{tag}-{n}"
        phone = f"+2557{(hash(sid) % 2000):08d}"
        for i, hop in enumerate(session.hops):
            yield {"sessionId": sid, "serviceCode": CODE, "phoneNumber": phone,
                   "networkCode": "64002", "text": hop.text}, i == len(session.hops) - 1


def _load(args: tuple[str, int, str, int, float, float, list, str]) -> tuple[int, int, list]:
    """One load process: ``threads`` connections for ``seconds``; (done, errors, latencies).

    ``rate`` > 0: each thread sends on a fixed schedule (open loop) and latency is counted
    from the scheduled time; otherwise as fast as answers come (closed loop).
    """
    kind, port, tag, threads, seconds, rate, sessions, token = args
    from urllib.parse import urlencode

    done, errors, latencies = [0], [0], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        forms = _forms(sessions, f"{tag}-{t}")
        interval = threads / rate if rate else 0.0
        next_at = time.monotonic() + (t * interval / threads if rate else 0)
        ok = bad = 0
        mine: list[float] = []
        while True:
            if rate:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                start = next_at
                next_at += interval
            else:
                start = time.monotonic()
            if start >= stop_at or time.monotonic() >= stop_at + 5:
                break  # the schedule is over, or the server fell that far behind it
            try:
                if kind == "healthz":
                    conn.request("GET", "/healthz")
                else:
                    form, _ = next(forms)
                    conn.request("POST", f"/at/{token}/ussd", body=urlencode(form),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
                res = conn.getresponse()
                body = res.read()
                good = res.status == 200 and (kind == "healthz" or body[:4] in (b"CON ", b"END "))
            except (OSError, http.client.HTTPException):
                conn.close()
                good = False
            mine.append(time.monotonic() - start)
            ok, bad = ok + good, bad + (not good)
        with lock:
            done[0] += ok
            errors[0] += bad
            latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return done[0], errors[0], latencies


def measure(pool, kind: str, port: int, tag: str, procs: int, conns: int, seconds: float,
            rate: float, sessions: list) -> tuple[float, int, list[float]]:
    per = max(1, conns // procs)
    jobs = [(kind, port, f"{tag}-{p}", per, seconds, rate / procs if rate else 0.0, sessions,
             WEBHOOK_TOKEN) for p in range(procs)]
    results = pool.map(_load, jobs)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return done / seconds, errors, latencies


def _setup(threads: int) -> str:
    return "sync" if threads == 1 else f"gthread, {threads} threads"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-ref", action="append", default=[],
                        help="a git revision to measure first, as REF or LABEL=REF; repeat it "
                             "to measure each fix of a series in the same run")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="threads per gunicorn worker (1: sync workers; more: gthread); "
                             "several values measure each server set-up in the same run")
    args = parser.parse_args()
    instance = workdir()
    app = make_app(instance)
    with app.app_context():
        sessions = plan_sessions(200)
    env = {**os.environ, **bench_env(instance)}
    versions = []
    for given in args.before_ref:
        label, _, ref = given.rpartition("=")
        versions.append((label or f"before ({ref})", export(ref)))
    versions.append(("now", ROOT))
    setups = [(f"{name}{'' if len(args.threads) == 1 else f', {_setup(t)}'}", code, t)
              for name, code in versions for t in args.threads]
    rows, ratios, latency_rows = [], {}, []
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.procs) as pool:
        for name, code, threads in setups:
            server = Server(code, env, args.workers, instance / "gunicorn.log", threads)
            try:
                measure(pool, "hops", server.port, f"warm-{name}", args.procs, args.procs,
                        2, 0, sessions)
                rates: dict[str, list[float]] = {"healthz": [], "hops": []}
                errs = 0
                for r in range(args.rounds):
                    for kind in ("healthz", "hops"):
                        rps, errors, _ = measure(pool, kind, server.port, f"{name}-{kind}-{r}",
                                                 args.procs, args.concurrency, args.seconds, 0,
                                                 sessions)
                        rates[kind].append(rps)
                        errs += errors
                        print(name, kind, r, f"{rps:.0f}/s", errors, "errors", flush=True)
                health, hops = (statistics.median(rates[k]) for k in ("healthz", "hops"))
                ratios[name] = hops / health
                rows.append([name, " / ".join(f"{x:.0f}" for x in rates["healthz"]),
                             " / ".join(f"{x:.0f}" for x in rates["hops"]),
                             f"{health:.0f}", f"{hops:.0f}", f"**{hops / health:.2f}**",
                             str(errs)])
                rps, errors, lat = measure(pool, "hops", server.port, f"{name}-steady",
                                           args.procs, args.concurrency, args.seconds,
                                           args.rate, sessions)
                latency_rows.append([name, f"{rps:.0f}", str(len(lat)), *(
                    f"{percentile(lat, q) * 1000:.1f}" for q in (50, 95, 99)),
                    f"{lat[-1] * 1000:.1f}", str(errors)])
                print(latency_rows[-1], flush=True)
            finally:
                server.stop()
    body = table(["code", "healthz/s per round", "hops/s per round", "healthz/s median",
                  "hops/s median", "hops / healthz", "errors"], rows)
    body += ("\n\nClosed loop, " f"{args.concurrency} connections from {args.procs} load "
             f"processes, {args.seconds:.0f} s per measurement, healthz and hops alternating "
             f"{args.rounds} times; gunicorn -w {args.workers} "
             f"({', '.join(_setup(t) for t in args.threads)}). Target: hops / healthz "
             ">= 0.5.\n\n")
    body += table(["code", f"hops/s sent (target {args.rate:.0f})", "hops", "p50 ms",
                   "p95 ms", "p99 ms", "max ms", "errors"], latency_rows)
    body += (f"\n\nOpen loop: {args.rate:.0f} hops/s on a fixed schedule for {args.seconds:.0f}"
             " s, latency counted from each hop's scheduled time (waiting for a free "
             "connection counts). Target: p99 < 25 ms.")
    print(body)
    write_section(f"ussd_scale/{services_label()}",
                  f"USSD hops vs /healthz under gunicorn ({services_label()})", body)


if __name__ == "__main__":
    main()
