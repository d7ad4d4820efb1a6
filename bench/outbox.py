"""Throughput of the outbox: N queued SMS sent through the real ``africastalking`` SDK, against
the SDK alone posting the same messages one after another to the same sandbox, in one run.

The app is served over HTTP by waitress in this process (as the tests' live server), with
``AT_API_URL`` pointing at its own built-in sandbox, so every send is a real SDK request that
the sandbox answers as Africa's Talking does. The in-process worker (``drain``, one RQ worker)
runs the send jobs. Runs, in this order and the same process:

1. the bare SDK (``SMSService.send``, one ``requests.post`` each) posting N messages in a loop;
2. the outbox as it was before keep-alive and batching (one row per job, a new connection per
   request): ``SEND_BATCH = SEND_CONCURRENCY = 1`` and ``requests.post``;
3. the outbox now, N different texts (alerts: one per case);
4. the outbox now, one text to N numbers (a coordination message).

Delivery reports are held back (``SANDBOX_DLR_DELAY_SECONDS=3600``) so only sending is timed.

    .venv/bin/python bench/outbox.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable

import requests
from _common import free_port, make_app, services_label, table, workdir, write_section
from africastalking.SMS import SMSService
from flask import current_app
from waitress.server import create_server

from app.extensions import db
from app.sms import gateway as gateway_module
from app.sms import sending, tasks
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.worker.runner import drain


def text(i: int, same: bool) -> str:
    ref = 1000000 if same else 1000000 + i
    return f"Kesi {ref}: mtoto anahitaji msaada Kariakoo. Jibu KUBALI au KATAA."


def number(run: int, i: int) -> str:
    return f"+2557{run:02d}{i:06d}"


def sdk_alone(base_url: str, n: int, run: int) -> float:
    """The bare SDK, as a script would use it: one request (and connection) per message."""
    sms = SMSService("sandbox", "sandbox")
    sms._baseUrl = base_url  # the SDK keeps its host in instance attributes
    start = time.perf_counter()
    for i in range(n):
        answer = sms.send(text(i, False), [number(run, i)])
        assert "Success" in str(answer), answer
    return n / (time.perf_counter() - start)


def outbox(n: int, run: int, same: bool) -> tuple[float, int, Counter[str]]:
    db.session.query(OutboundSms).delete()
    db.session.commit()
    for i in range(n):
        queue_sms(number(run, i), text(i, same), purpose="bench")
    db.session.commit()  # queues the n send jobs
    app = current_app._get_current_object()
    start = time.perf_counter()
    jobs = drain(app, rounds=1000)
    elapsed = time.perf_counter() - start
    db.session.expire_all()
    counts = Counter(m.status.value for m in db.session.query(OutboundSms))
    return counts["submitted"] / elapsed, jobs, counts


def as_before(run: Callable[[], tuple[float, int, Counter[str]]]
              ) -> tuple[float, int, Counter[str]]:
    """The outbox with one row per job and a new connection per request, as before."""
    saved = (tasks.SEND_BATCH, sending.SEND_CONCURRENCY, gateway_module.http_session)
    tasks.SEND_BATCH = sending.SEND_CONCURRENCY = 1
    gateway_module.http_session = lambda: requests  # type: ignore[assignment]
    try:
        return run()
    finally:
        tasks.SEND_BATCH, sending.SEND_CONCURRENCY, gateway_module.http_session = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of all runs (medians)")
    args = parser.parse_args()
    logging.getLogger("rq").setLevel(logging.WARNING)  # one "scheduler lock" line per round
    port = free_port()
    base = f"http://127.0.0.1:{port}/sandbox/version1"
    app = make_app(workdir(), AT_API_URL=base, SANDBOX_DLR_DELAY_SECONDS="3600")
    server = create_server(app, host="127.0.0.1", port=port, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    n = args.messages
    figures: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    with app.app_context():
        for r in range(args.repeat):
            runs: list[tuple[str, Callable[[], tuple[float, int, Counter[str]]]]] = [
                ("outbox before (1 SMS per job, new connection each)",
                 lambda: as_before(lambda: outbox(n, 2, False))),
                ("outbox now, N different texts", lambda: outbox(n, 3, False)),
                ("outbox now, one text to N numbers", lambda: outbox(n, 4, True)),
            ]
            figures.setdefault("SDK alone, sequential", []).append(sdk_alone(base, n, 1))
            print(r, "SDK alone", figures["SDK alone, sequential"][-1])
            for name, run in runs:
                rate, jobs, counts = run()
                figures.setdefault(name, []).append(rate)
                notes[name] = (f"{jobs} jobs; " +
                               ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
                print(r, name, rate, notes[name])
    server.close()
    sdk = statistics.median(figures["SDK alone, sequential"])
    rows = []
    for name, rates in figures.items():
        med = statistics.median(rates)
        rows.append([name, str(n), " / ".join(f"{x:.0f}" for x in rates), f"**{med:.0f}**",
                     f"{med / sdk:.2f}", notes.get(name, f"{n} accepted each round")])
    body = table(["run", "SMS", "SMS/s per round", "median SMS/s", "vs SDK alone",
                  "last round"], rows)
    body += (f"\n\n{args.repeat} rounds of every run in one process, interleaved; the ratio "
             "is the median of a run over the median of the bare SDK posting the same "
             "messages one by one to the same sandbox (target: outbox >= 0.5). One worker "
             "(`drain`, the in-process RQ worker); SMS/s counts rows submitted per second of "
             "draining, i.e. including the RQ jobs and the two transactions per row.")
    print(body)
    write_section(f"outbox/{services_label()}", f"Sending the outbox ({services_label()})",
                  body)


if __name__ == "__main__":
    main()
