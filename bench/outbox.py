"""Throughput of the outbox: N queued SMS sent through the real ``africastalking`` SDK.

The app is served over HTTP by waitress in this process (as the tests' live server), with
``AT_API_URL`` pointing at its own built-in sandbox, so every send is a real SDK request that
the sandbox answers as Africa's Talking does. The in-process worker (``drain``) runs the send
jobs. Two runs: sends only (the sandbox's delivery reports not yet due), then sends with their
delivery reports posted back to ``/at/<token>/sms/delivery`` and applied.

    .venv/bin/python bench/outbox.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections import Counter

from _common import free_port, make_app, services_label, table, workdir, write_section
from waitress.server import create_server

from app.extensions import db
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.worker.runner import drain


def queue(n: int, offset: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        queue_sms(f"+2557{offset + i:08d}", f"Kesi {1000000 + i}: mtoto anahitaji msaada "
                  "Kariakoo. Jibu KUBALI au KATAA.", purpose="bench")
    db.session.commit()  # queues the n send jobs
    return time.perf_counter() - start


def statuses() -> Counter[str]:
    db.session.expire_all()
    return Counter(m.status.value for m in db.session.query(OutboundSms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    logging.getLogger("rq").setLevel(logging.WARNING)  # one "scheduler lock" line per round
    port = free_port()
    app = make_app(workdir(), AT_API_URL=f"http://127.0.0.1:{port}/sandbox/version1",
                   SANDBOX_DLR_DELAY_SECONDS="3600")
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    rows = []
    with app.app_context():
        for run, delay in (("sends only", "3600"), ("sends + delivery reports", "0")):
            app.config["SANDBOX_DLR_DELAY_SECONDS"] = float(delay)
            db.session.query(OutboundSms).delete()
            db.session.commit()
            queued = queue(args.messages, 0 if delay == "3600" else args.messages)
            start = time.perf_counter()
            jobs = drain(app, rounds=1000)
            elapsed = time.perf_counter() - start
            counts = statuses()
            done = counts["submitted"] + counts["delivered"]
            rows.append([run, str(args.messages), f"{queued:.1f}", str(jobs), f"{elapsed:.1f}",
                         f"**{done / elapsed:.0f}**",
                         ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))])
            print(rows[-1])
    server.close()
    body = table(["run", "SMS", "queueing s", "jobs run", "drain s", "SMS/s", "outbox after"],
                 rows)
    body += ("\n\nSMS/s counts the rows submitted or delivered per second of `drain`; "
             "queueing is the time to write the rows and commit (which enqueues the jobs).")
    print(body)
    write_section(f"outbox/{services_label()}", f"Sending the outbox ({services_label()})",
                  body)


if __name__ == "__main__":
    main()
