"""Memory of a web process and a worker under a long run: RSS sampled over time.

``gunicorn -w WORKERS wsgi:app`` serves USSD hops (real report sessions, as
``bench/ussd_scale.py`` sends them: ``--procs`` load processes over loopback) while
``linda worker`` sends SMS queued by this script to the app's own sandbox (delivery reports
held back). Every ``--every`` seconds the resident set (``VmRSS``) of each gunicorn worker and
of the ``linda worker`` process is read from ``/proc``; the table shows it at checkpoints, so
growth after warm-up is visible. PostgreSQL and Redis.

    DATABASE_URL=postgresql://… REDIS_URL=redis://…/N .venv/bin/python bench/memory.py \\
        [--hops 100000] [--sms 10000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import ROOT, WEBHOOK_TOKEN, bench_env, make_app, table, workdir, write_section
from ussd_scale import Server, _load, plan_sessions

from app.extensions import db
from app.sms.services import queue_sms


def rss_kib(pid: int) -> int:
    """The resident set of ``pid`` in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def queue(app: object, count: int, batch: int = 500) -> None:
    """``count`` SMS to distinct numbers, committed in batches (each commit queues its jobs)."""
    with app.app_context():  # type: ignore[attr-defined]
        for start in range(0, count, batch):
            for i in range(start, min(count, start + batch)):
                queue_sms(f"+2557{40000000 + i:08d}", f"Kesi {1000000 + i}: bench.",
                          purpose="bench")
            db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hops", type=int, default=100_000)
    parser.add_argument("--sms", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--every", type=float, default=5.0)
    args = parser.parse_args()
    instance = workdir()
    app = make_app(instance)
    with app.app_context():
        sessions = plan_sessions(200)
    env = {**os.environ, **bench_env(instance, SANDBOX_DLR_DELAY_SECONDS="3600")}
    server = Server(ROOT, env, args.workers, instance / "gunicorn.log")
    env["AT_API_URL"] = f"http://127.0.0.1:{server.port}/sandbox/version1"
    worker = subprocess.Popen([str(Path(sys.executable).parent / "linda"), "worker"],  # noqa: S603
                              cwd=ROOT, env=env, stdout=(instance / "worker.log").open("ab"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    webs = children(server.proc.pid)
    samples: list[tuple[float, int, list[int], int]] = []  # (s, hops done, webs, worker)
    done = [0]
    start = time.monotonic()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.monotonic() - start, done[0], [rss_kib(p) for p in webs],
                            rss_kib(worker.pid)))
            stop.wait(args.every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    sender = threading.Thread(target=queue, args=(make_app_for_queue(instance), args.sms))
    sender.start()
    ctx = multiprocessing.get_context("fork")
    per = max(1, args.concurrency // args.procs)
    try:
        with ctx.Pool(args.procs) as pool:
            n = 0
            while done[0] < args.hops:
                jobs = [("hops", server.port, f"m{n}-{p}", per, 20.0, 0.0, sessions,
                         WEBHOOK_TOKEN) for p in range(args.procs)]
                results = pool.map(_load, jobs)  # 20 s rounds until enough hops
                done[0] += sum(r[0] for r in results)
                errors = sum(r[1] for r in results)
                n += 1
                print(f"{done[0]} hops, {errors} errors this round, "
                      f"webs {[rss_kib(p) // 1024 for p in webs]} MiB, "
                      f"worker {rss_kib(worker.pid) // 1024} MiB", flush=True)
        sender.join()
        with app.app_context():
            from app.sms.models import OutboundSms
            from app.sms.status import SmsStatus

            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                queued = db.session.query(OutboundSms).filter(
                    OutboundSms.purpose == "bench", OutboundSms.status == SmsStatus.QUEUED
                ).count()
                db.session.rollback()
                if queued == 0:
                    break
                time.sleep(5)
            sent = db.session.query(OutboundSms).filter(
                OutboundSms.purpose == "bench", OutboundSms.status != SmsStatus.QUEUED).count()
        time.sleep(args.every)
    finally:
        stop.set()
        sampler.join()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        server.stop()
    body = report(samples, args, sent)
    print(body)
    write_section("memory/postgresql+redis", "Memory over a long run (postgresql+redis)", body)


def make_app_for_queue(instance: Path) -> object:
    from app import create_app

    return create_app(env=bench_env(instance))


def report(samples: list[tuple[float, int, list[int], int]], args: argparse.Namespace,
           sent: int) -> str:
    marks = sorted({0, *(int(len(samples) * f) for f in (0.1, 0.25, 0.5, 0.75)),
                    len(samples) - 1})
    rows = []
    for i in marks:
        t, hops, webs, wrk = samples[i]
        rows.append([f"{t:.0f}", f"{hops:,}", " / ".join(f"{w / 1024:.1f}" for w in webs),
                     f"{wrk / 1024:.1f}"])
    last = samples[-1]

    def growth(since: tuple[float, int, list[int], int]) -> str:
        webs = " / ".join(f"{(b - a) / 1024:+.1f}" for a, b in zip(since[2], last[2],
                                                                   strict=True))
        return (f"web processes {webs} MiB, worker {(last[3] - since[3]) / 1024:+.1f} MiB "
                f"over the last {last[1] - since[1]:,} hops")

    body = table(["seconds", "hops answered", "RSS of each web process, MiB",
                  "RSS of the worker, MiB"], rows)
    body += (f"\n\nAfter warm-up (10 % of the run) to the end: "
             f"{growth(samples[len(samples) // 10])}; second half of the run: "
             f"{growth(samples[len(samples) // 2])}; last quarter: "
             f"{growth(samples[len(samples) * 3 // 4])}. "
             f"{last[1]:,} hops over gunicorn -w {args.workers}; {sent:,} of {args.sms:,} SMS "
             f"sent by one `linda worker` to the sandbox meanwhile; RSS read from "
             f"/proc/<pid>/status every {args.every:.0f} s.")
    return body


if __name__ == "__main__":
    main()
