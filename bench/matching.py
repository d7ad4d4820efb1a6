"""Time and memory of choosing responders for a case over a realistic directory.

5,000 responders (by default) are spread over the real gazetteer: most attached to a ward, some
council- or region-wide, 85 % available, with 0-3 open cases each, at their council's seat.
Cases fall in random wards. Timed: ``app.referral.matching.pick_from`` over a ``Directory``
(``--rank-all`` adds the old ``pick`` that ranks everybody) for the first and second wave of
every rule in ``rules.toml`` (pure, no database), and, for comparison, what the dispatch job
does before it: ``app.referral.services.candidates`` reading the directory from the database.

    .venv/bin/python bench/matching.py [--responders 5000] [--cases 1000] [--pick-only]
        [--rank-all]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from typing import Any

from _common import latency_row, make_app, services_label, table, workdir, write_section

from app.gazetteer.loader import read_gazetteer
from app.referral.matching import Candidate, Directory, Site, pick, pick_from
from app.referral.roles import ResponderRole
from app.referral.rules import DEFAULT_PATH, RuleBook, WavePlan, parse_rules

ROLE_WEIGHTS = {
    ResponderRole.POLICE_GCD: 25, ResponderRole.SOCIAL_WELFARE: 20,
    ResponderRole.WARD_EXECUTIVE: 25, ResponderRole.VILLAGE_EXECUTIVE: 10,
    ResponderRole.COMMUNITY_DEVELOPMENT: 10, ResponderRole.HEALTH: 4,
    ResponderRole.SHELTER: 3, ResponderRole.HOTLINE_SUPERVISOR: 3,
}


def places() -> tuple[list[dict], dict[str, dict], dict[str, tuple[float, float] | None]]:
    """Wards, councils by id, and the best point of each council (seat, else region)."""
    regions, councils, wards = read_gazetteer()
    region_point = {r["id"]: (r["lat"], r["lon"]) if r["lat"] is not None else None
                    for r in regions}
    council_point = {c["id"]: (c["lat"], c["lon"]) if c["lat"] is not None
                     else region_point[c["region_id"]] for c in councils}
    return wards, {c["id"]: c for c in councils}, council_point


def directory(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` responder descriptions spread over the gazetteer."""
    wards, councils, point = places()
    roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    people = []
    for i in range(1, n + 1):
        ward = rng.choice(wards)
        council = councils[ward["council_id"]]
        reach = rng.random()
        people.append({
            "id": i, "role": rng.choices(roles, weights)[0], "region_id": council["region_id"],
            "council_id": council["id"] if reach < 0.9 else None,
            "ward_id": ward["id"] if reach < 0.7 else None,
            "point": point[council["id"]], "available": rng.random() < 0.85,
            "open_cases": rng.choice([0, 0, 0, 1, 2, 3]),
        })
    return people


def sites(count: int, rng: random.Random) -> list[Site]:
    wards, councils, point = places()
    out = []
    for _ in range(count):
        ward = rng.choice(wards)
        council = councils[ward["council_id"]]
        out.append(Site(council["region_id"], council["id"], ward["id"], point[council["id"]]))
    return out


def plans(book: RuleBook) -> list[tuple[str, WavePlan]]:
    return [(f"{cat}.{urg} wave {n}", plan) for (cat, urg), waves in sorted(book.plans.items())
            for n, plan in enumerate(waves, 1)]


def time_pick(cands: list[Candidate], cases: list[Site], book: RuleBook, *,
              rank_all: bool = False) -> tuple[list[float], int]:
    """Seconds per case (every wave of the case's rule) and how many were chosen in all;
    over a ``Directory`` filed once, or (``rank_all``) ranking every candidate each wave."""
    per_case, chosen = [], 0
    rules = list(book.plans.values())
    filed = Directory.of(cands)
    for n, site in enumerate(cases):
        waves = rules[n % len(rules)]
        start = time.perf_counter()
        for plan in waves:
            if rank_all:
                found = pick(site, cands, plan.roles, plan.responders, max_tier=plan.max_tier)
            else:
                found = pick_from(site, filed, plan.roles, plan.responders,
                                  max_tier=plan.max_tier)
            chosen += len(found)
        per_case.append(time.perf_counter() - start)
    return per_case, chosen


def db_candidates(people: list[dict[str, Any]], book: RuleBook, repeats: int
                  ) -> tuple[list[float], float]:
    """Seconds of ``dispatch.candidates`` for a first wave's roles over the directory stored
    in the database, each in a fresh session; and the seconds the insert took."""
    from app.extensions import db
    from app.referral.models import Responder
    from app.referral.services import candidates

    app = make_app(workdir())
    with app.app_context():
        start = time.perf_counter()
        for p in people:
            r = Responder(name=f"Responder {p['id']}", role=p["role"], region_id=p["region_id"],
                          council_id=p["council_id"], ward_id=p["ward_id"],
                          on_duty=p["available"], languages="sw", language="sw",
                          confirmed_at=None if not p["available"] else _now())
            r.phone = f"+2557{p['id']:08d}"
            db.session.add(r)
        db.session.commit()
        inserted = time.perf_counter() - start
        roles = book.waves_for("forced_labour", True)[0].roles
        times = []
        for _ in range(repeats):
            db.session.remove()
            start = time.perf_counter()
            found = candidates(roles)
            times.append(time.perf_counter() - start)
        assert len(found) == sum(p["role"] in roles for p in people)
        db.session.remove()
        db.engine.dispose()
    return times, inserted


def _now() -> Any:
    from app.clock import utcnow

    return utcnow()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responders", type=int, default=5000)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--db-repeats", type=int, default=5)
    parser.add_argument("--pick-only", action="store_true",
                        help="only time pick per case (no per-wave table, no database)")
    parser.add_argument("--rank-all", action="store_true",
                        help="time the old way (rank every candidate each wave) for comparison")
    args = parser.parse_args()
    rng = random.Random(2022)
    book = parse_rules(DEFAULT_PATH.read_text(), urgent_seconds=600, normal_seconds=3600)
    people = directory(args.responders, rng)
    cands = [Candidate(p["id"], p["role"], p["region_id"], p["council_id"], p["ward_id"],
                       p["point"], p["available"], p["open_cases"]) for p in people]
    cases = sites(args.cases, rng)

    time_pick(cands, cases[:5], book)  # warm-up
    gc.collect()
    start = time.perf_counter()
    Directory.of(cands)
    filing = time.perf_counter() - start
    per_case, chosen = time_pick(cands, cases, book)
    if args.pick_only:
        rows = [latency_row("pick_from a Directory, every wave of the case's rule", per_case)]
        if args.rank_all:
            old, old_chosen = time_pick(cands, cases, book, rank_all=True)
            assert old_chosen == chosen
            rows.append(latency_row("pick ranking everybody (before), same waves", old))
        body = (f"{args.responders} responders over {len(places()[0])} wards; {args.cases} "
                f"cases in random wards; {chosen} responders chosen in all. Filing the "
                f"directory (`Directory.of`, once per read) took {filing * 1000:.0f} ms.\n\n"
                + table(["work per case", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
        print(body)
        write_section(f"matching-pick/{args.responders}", f"Choosing among {args.responders} "
                      "responders (pick only, no database)", body)
        return
    single = []
    filed = Directory.of(cands)
    for name, plan in plans(book):
        start = time.perf_counter()
        for site in cases[:200]:
            pick_from(site, filed, plan.roles, plan.responders, max_tier=plan.max_tier)
        single.append((name, (time.perf_counter() - start) / 200))

    tracemalloc.start()
    for site in cases[:100]:
        for plan in book.waves_for("sexual_exploitation", True):
            pick_from(site, filed, plan.roles, plan.responders, max_tier=plan.max_tier)
    _, pick_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    again = [Candidate(p["id"], p["role"], p["region_id"], p["council_id"], p["ward_id"],
                       p["point"], p["available"], p["open_cases"]) for p in people]
    directory_size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del again

    rows = [latency_row("pick, every wave of the case's rule", per_case)]
    body = [f"{args.responders} responders over {len(places()[0])} wards; {args.cases} cases "
            f"in random wards; {chosen} responders chosen in all.",
            table(["work per case", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows),
            table(["one wave", "mean ms per case"],
                  [[name, f"{t * 1000:.2f}"] for name, t in single]),
            f"Memory (tracemalloc): the {args.responders} `Candidate`s take "
            f"{directory_size / 2**20:.1f} MiB; peak while picking both waves for 100 cases: "
            f"{pick_peak / 2**20:.2f} MiB."]

    db_times, inserted = db_candidates(people, book, args.db_repeats)
    body.append(
        f"Reading the directory from the database ({services_label()}), as the dispatch job "
        f"does before `pick`: `dispatch.candidates(police_gcd, social_welfare)` for "
        f"{args.responders} stored responders, fresh session each time: median "
        f"{statistics.median(db_times) * 1000:.0f} ms, max {max(db_times) * 1000:.0f} ms "
        f"({args.db_repeats} runs; storing the directory took {inserted:.1f} s).")
    text = "\n\n".join(body)
    print(text)
    write_section(f"matching/{services_label()}", f"Matching responders ({services_label()})",
                  text)


if __name__ == "__main__":
    main()
