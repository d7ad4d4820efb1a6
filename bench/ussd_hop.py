"""Latency of USSD hops (``POST /at/<token>/ussd``) and throughput of completed reports.

Callers walk realistic report sessions hop by hop, as Africa's Talking sends them (every hop
carries the whole input path): the main menu ("danger now" or "report"), the region and
council lists, a ward deep in the longest ward list (through its index of ranges) or found by
typing its first letters, a landmark, and the confirming hop that creates the case. Every
session must end on "report.done" with a case number; anything else is counted as an error.

Runs: the Flask test client in this process; then ``linda serve`` (waitress) in a subprocess
over HTTP, one caller at a time; then many callers at once over HTTP.

    .venv/bin/python bench/ussd_hop.py [--hops 2000] [--concurrency 20] [--reports 200]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from _common import (
    ROOT,
    WEBHOOK_TOKEN,
    bench_env,
    free_port,
    latency_row,
    make_app,
    services_label,
    table,
    workdir,
    write_section,
)

CODE = "*149*46#"
HOP_PATH = f"/at/{WEBHOOK_TOKEN}/ussd"


@dataclass(frozen=True)
class Hop:
    text: str
    kind: str  # what the hop shows, for the latency table


@dataclass(frozen=True)
class Session:
    hops: list[Hop]


def _keys_for(items: list, target: str, screen: str) -> list[str]:
    from app.ussd.engine import keys_to_item
    from app.ussd.menu import graph as menu_graph

    return keys_to_item(menu_graph().screens[screen], items, target)  # type: ignore[arg-type]


def plan_sessions(count: int, seed: int = 46) -> list[Session]:
    """``count`` report sessions: half page to the last ward of the longest ward list, half
    type four letters of a ward in a random council."""
    from app.ussd.services import DbProvider

    rng = random.Random(seed)
    provider = DbProvider()
    regions = list(provider.items("regions", None))
    by_region = {r.id: list(provider.items("councils", r.id)) for r in regions}
    councils = [(r, c) for r in regions for c in by_region[r.id]]
    wards = {c.id: list(provider.items("wards", c.id)) for _, c in councils}
    deep_region, deep_council = max(councils, key=lambda rc: len(wards[rc[1].id]))

    sessions = []
    for n in range(count):
        if n % 2 == 0:
            region, council = deep_region, deep_council
            ward = wards[council.id][-1]
            ward_keys = _keys_for(wards[council.id], ward.id, "report.ward")
            head = ["1", "1", "2"]  # danger now, 112 seen, forced labour
            details = ["2", "3", "2", "2", "Near the market", "1"]  # fishing, 2-5, this week
        else:
            region, council = rng.choice([rc for rc in councils if len(wards[rc[1].id]) > 3])
            ward = rng.choice(wards[council.id])
            typed = ward.label[:4].lower()
            found = list(provider.search("wards", council.id, typed))
            ward_keys = [typed, str(1 + [w.id for w in found].index(ward.id))]
            head = ["2", "1"]  # report (not urgent), transported
            details = ["2", "4", "1", "Near the market", "2"]  # number unknown, today
        # the regions' index is on the place question
        place = (_keys_for(regions, region.id, "report.region")
                 + _keys_for(by_region[region.id], council.id, "report.council") + ward_keys)
        inputs = [*head, *place, *details, "1"]
        hops = [Hop("", "main menu")]
        for i in range(1, len(inputs) + 1):
            last = inputs[i - 1]
            if i == len(inputs):
                kind = "confirm (creates the case)"
            elif i > len(head) + len(place) - len(ward_keys) and i <= len(head) + len(place):
                kind = ("ward search by letters" if last.isalpha() or " " in last
                        else "ward index (a range)" if i < len(head) + len(place)
                        else "ward chosen")
            elif i > len(head) and i <= len(head) + len(place):
                kind = "region/council lists"
            else:
                kind = "other report screens"
            hops.append(Hop("*".join(inputs[:i]), kind))
        sessions.append(Session(hops))
    return sessions


Post = Callable[[dict[str, str]], tuple[int, str]]


def run_session(post: Post, session: Session, sid: str, phone: str,
                lat: dict[str, list[float]]) -> str | None:
    """Walk one session; record latencies by kind; return an error description or None."""
    for hop in session.hops:
        form = {"sessionId": sid, "serviceCode": CODE, "phoneNumber": phone,
                "networkCode": "64002", "text": hop.text}
        start = time.perf_counter()
        status, text = post(form)
        lat[hop.kind].append(time.perf_counter() - start)
        if status != 200 or not text.startswith(("CON ", "END ")):
            return f"HTTP {status}: {text[:60]!r}"
        if text.startswith("END ") and hop is not session.hops[-1]:
            return f"ended early: {text[:60]!r}"
    if not text.startswith("END Asante"):
        return f"no case number: {text[:60]!r}"
    return None


def sequential(post: Post, sessions: list[Session], hops: int, tag: str
               ) -> tuple[dict[str, list[float]], list[str], int, float]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    done = 0
    start = time.perf_counter()
    i = 0
    while sum(map(len, lat.values())) < hops:
        session = sessions[i % len(sessions)]
        error = run_session(post, session, f"{tag}-{i}", f"+2557{i % 100000000:08d}", lat)
        if error:
            errors.append(error)
        else:
            done += 1
        i += 1
    return lat, errors, done, time.perf_counter() - start


def concurrent(post: Post, sessions: list[Session], reports: int, workers: int
               ) -> tuple[dict[str, list[float]], list[str], int, float]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    def one(i: int) -> str | None:
        return run_session(post, sessions[i % len(sessions)], f"conc-{i}",
                           f"+2556{i % 100000000:08d}", lat)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, range(reports)))
    elapsed = time.perf_counter() - start
    errors = [r for r in results if r]
    return lat, errors, reports - len(errors), elapsed


def latency_table(lat: dict[str, list[float]]) -> str:
    rows = [latency_row(kind, values) for kind, values in sorted(lat.items())]
    rows.append(latency_row("**all hops**", [v for vs in lat.values() for v in vs]))
    return table(["hop", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)


def serve(instance: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, **bench_env(instance)}
    log = (instance / "serve.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [str(Path(sys.executable).parent / "linda"), "serve", "--port", str(port)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"linda serve did not start; see {instance / 'serve.log'}")


def count_cases(app) -> int:
    import sqlalchemy as sa

    from app.cases.models import Case
    from app.extensions import db

    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count(Case.id))) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hops", type=int, default=2000, help="hops per sequential run")
    parser.add_argument("--concurrency", type=int, default=20, help="callers at once")
    parser.add_argument("--reports", type=int, default=200, help="reports in the concurrent run")
    args = parser.parse_args()

    instance = workdir()
    app = make_app(instance)
    with app.app_context():
        sessions = plan_sessions(40)
    client = app.test_client()

    def post_client(form: dict[str, str]) -> tuple[int, str]:
        res = client.post(HOP_PATH, data=form)
        return res.status_code, res.text

    sections = []
    lat, errors, done, elapsed = sequential(post_client, sessions, args.hops, "client")
    summary = (f"{done} reports, {len(errors)} errors, "
               f"{sum(map(len, lat.values())) / elapsed:.0f} hops/s")
    sections.append(("Flask test client, one caller at a time", latency_table(lat), summary,
                     errors))

    port = free_port()
    proc = serve(instance, port)
    http = requests.Session()
    url = f"http://127.0.0.1:{port}{HOP_PATH}"

    def post_http(form: dict[str, str]) -> tuple[int, str]:
        res = http.post(url, data=form, timeout=30)
        return res.status_code, res.text

    pool_size = max(args.concurrency, 10)

    def post_pooled(form: dict[str, str]) -> tuple[int, str]:
        res = pooled.post(url, data=form, timeout=30)
        return res.status_code, res.text

    pooled = requests.Session()
    pooled.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=pool_size))
    try:
        lat, errors, done, elapsed = sequential(post_http, sessions, args.hops, "http")
        summary = (f"{done} reports, {len(errors)} errors, "
                   f"{sum(map(len, lat.values())) / elapsed:.0f} hops/s")
        sections.append(("`linda serve` over HTTP, one caller at a time", latency_table(lat),
                         summary, errors))
        lat, errors, done, elapsed = concurrent(post_pooled, sessions, args.reports,
                                                args.concurrency)
        summary = (f"{args.concurrency} callers at once: {done} reports completed in "
                   f"{elapsed:.1f} s = **{done / elapsed:.1f} reports/s** "
                   f"({sum(map(len, lat.values())) / elapsed:.0f} hops/s), "
                   f"{len(errors)} errors")
        sections.append((f"`linda serve` over HTTP, {args.concurrency} callers at once",
                         latency_table(lat), summary, errors))
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    cases = count_cases(app)
    body = [f"Sessions: report sessions of {min(map(len, (s.hops for s in sessions)))}-"
            f"{max(map(len, (s.hops for s in sessions)))} hops (half page to the last ward of "
            "the longest ward list, half type 4 letters of a ward); "
            f"cases in the database afterwards: {cases}."]
    for title, tbl, summary, errors in sections:
        print(f"\n{title}\n{tbl}\n{summary}")
        body.append(f"#### {title}\n\n{tbl}\n\n{summary}")
        if errors:
            print("errors:", sorted(set(errors))[:5])
            body.append("Errors seen: " + "; ".join(sorted(set(errors))[:5]))
    write_section(f"ussd_hop/{services_label()}", f"USSD hops ({services_label()})",
                  "\n\n".join(body))


if __name__ == "__main__":
    main()
