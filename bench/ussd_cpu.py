"""CPU of one USSD hop against the same app's bare ``GET /healthz``, in this process, no HTTP.

Both are called as gunicorn calls the app (a WSGI environ, no test client), alternating, and
timed with ``os.times`` (user + system CPU of this process) and the wall clock: what the app
itself costs per request, without the server, the load generator or the network. Hops walk the
real report sessions of ``bench/ussd_hop.py`` (fresh session ids each round).

    DATABASE_URL=postgresql://… REDIS_URL=redis://…/N .venv/bin/python bench/ussd_cpu.py \\
        [--hops 600] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from _common import make_app, services_label, table, workdir, write_section
from ussd_hop import CODE, HOP_PATH, plan_sessions


def environ(method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.version": (1, 0), "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hops", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = make_app(workdir())
    with app.app_context():
        sessions = plan_sessions(args.hops // 15 + 10)

    def call(env: dict[str, Any]) -> bytes:
        status: list[str] = []
        body = b"".join(app(env, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("200"), (status, body)
        return body

    def hops(tag: str) -> list[bytes]:
        forms = []
        for n, session in enumerate(sessions):
            for hop in session.hops:
                forms.append(urlencode({
                    "sessionId": f"{tag}-{n}", "serviceCode": CODE,
                    "phoneNumber": f"+2557{n % 2000:08d}", "networkCode": "64002",
                    "text": hop.text}).encode())
        return forms[:args.hops]

    def measure(run: Callable[[], None], n: int) -> tuple[float, float]:
        before, wall = os.times(), time.perf_counter()
        run()
        after, wall = os.times(), time.perf_counter() - wall
        cpu = (after.user - before.user) + (after.system - before.system)
        return cpu / n * 1e6, wall / n * 1e6

    for form in hops("warm")[:100]:  # caches, connections, the gazetteer copy
        call(environ("POST", HOP_PATH, form))
    figures: dict[str, list[tuple[float, float]]] = {"healthz": [], "hop": []}
    for r in range(args.rounds):
        figures["healthz"].append(measure(
            lambda: [call(environ("GET", "/healthz")) for _ in range(args.hops)], args.hops))
        forms = hops(f"r{r}")
        figures["hop"].append(measure(
            lambda forms=forms: [call(environ("POST", HOP_PATH, f)) for f in forms], len(forms)))
        print(r, {k: v[-1] for k, v in figures.items()}, flush=True)
    cpu = {k: statistics.median(c for c, _ in v) for k, v in figures.items()}
    wall = {k: statistics.median(w for _, w in v) for k, v in figures.items()}
    rows = [[k, " / ".join(f"{c:.0f}" for c, _ in v), f"**{cpu[k]:.0f}**",
             " / ".join(f"{w:.0f}" for _, w in v), f"{wall[k]:.0f}"]
            for k, v in figures.items()]
    body = table(["request", "CPU µs per request, per round", "CPU median",
                  "wall µs per request, per round", "wall median"], rows)
    body += (f"\n\n{args.hops} requests of each kind per round, alternating, {args.rounds} "
             f"rounds, in one process (no HTTP server, no load generator). CPU ratio "
             f"healthz / hop: **{cpu['healthz'] / cpu['hop']:.2f}**; wall ratio: "
             f"{wall['healthz'] / wall['hop']:.2f}.")
    print(body)
    write_section(f"ussd_cpu/{services_label()}",
                  f"USSD hop vs /healthz in one process ({services_label()})", body)


if __name__ == "__main__":
    main()
