"""Where a USSD hop's time goes: SQL statements per hop and a cProfile of hops.

Real report sessions (as ``bench/ussd_hop.py`` plans them) through the Flask test client, one
hop at a time; every SQL statement the app sends is counted per kind of hop, and cProfile
records the hops. Run it on the working tree, or on other code with ``PYTHONPATH`` pointing at
an exported checkout (``git archive main | tar -x -C /tmp/before``) to compare.

    .venv/bin/python bench/ussd_profile.py [--sessions 40] [--label now]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
from collections import defaultdict

import sqlalchemy as sa
from _common import ROOT, make_app, services_label, table, workdir, write_section
from ussd_hop import CODE, HOP_PATH, plan_sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--label", default="now")
    parser.add_argument("--write", action="store_true", help="write docs/PERFORMANCE.md")
    args = parser.parse_args()
    from app.extensions import db

    app = make_app(workdir())
    counts: dict[str, list[int]] = defaultdict(list)
    seen: list[str] = []
    profile = cProfile.Profile()
    with app.app_context():
        sessions = plan_sessions(args.sessions)
        client = app.test_client()
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *a: seen.append(a[2]))
        for n, session in enumerate(sessions):
            for hop in session.hops:
                form = {"sessionId": f"p-{n}", "serviceCode": CODE,
                        "phoneNumber": f"+2557130{n % 7:05d}", "networkCode": "64002",
                        "text": hop.text}
                seen.clear()
                if n >= 2:  # the first sessions warm caches
                    profile.enable()
                res = client.post(HOP_PATH, data=form)
                profile.disable()
                assert res.status_code == 200, res.text
                if n >= 2:
                    counts[hop.kind].append(len(seen))
    rows = [[kind, str(len(v)), f"{statistics.mean(v):.2f}", str(max(v))]
            for kind, v in sorted(counts.items())]
    every = [x for v in counts.values() for x in v]
    rows.append(["**all hops**", str(len(every)), f"**{statistics.mean(every):.2f}**",
                 str(max(every))])
    out = io.StringIO()
    order = os.environ.get("PROFILE_SORT", "cumulative")
    pstats.Stats(profile, stream=out).sort_stats(order).print_stats(18)
    # Paths without this machine's folders: site-packages, the checkout, the Python install.
    text = re.sub(r"\S*/site-packages/", "", out.getvalue()).replace(f"{ROOT}/", "")
    lines = [re.sub(r"\S*/lib/python3\.\d+/", "", ln) for ln in text.splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    body = table(["hop", "n", "SQL statements per hop (mean)", "max"], rows)
    body += ("\n\ncProfile of the same hops, by cumulative time (top entries):\n\n```\n"
             + "\n".join(lines[start:start + 19]) + "\n```")
    print(body)
    if args.write:
        write_section(f"ussd_profile/{args.label}/{services_label()}",
                      f"USSD hop profile, {args.label} ({services_label()})", body)


if __name__ == "__main__":
    main()
