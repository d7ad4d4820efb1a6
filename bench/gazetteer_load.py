"""Time and peak memory of ``load_gazetteer()``: into empty tables, then again (a no-op).

    .venv/bin/python bench/gazetteer_load.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

from _common import make_app, services_label, table, workdir, write_section

from app.extensions import db
from app.gazetteer.loader import LoadResult, load_gazetteer
from app.gazetteer.models import Council, Region, Ward


def empty_gazetteer() -> None:
    for model in (Ward, Council, Region):
        db.session.query(model).delete()
    db.session.commit()




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    app = make_app(workdir(), gazetteer=False)
    rows: dict[str, list[float]] = {"from empty": [], "again (no-op)": []}
    peaks: dict[str, list[float]] = {"from empty": [], "again (no-op)": []}
    results: dict[str, LoadResult] = {}
    with app.app_context():
        for _ in range(args.repeats):
            for traced in (False, True):
                empty_gazetteer()
                db.session.remove()
                for label in rows:
                    if traced:
                        tracemalloc.start()
                    start = time.perf_counter()
                    results[label] = load_gazetteer()
                    db.session.commit()
                    elapsed = time.perf_counter() - start
                    if traced:
                        peaks[label].append(tracemalloc.get_traced_memory()[1] / 2**20)
                        tracemalloc.stop()
                    else:
                        rows[label].append(elapsed)
                    db.session.remove()
    assert results["again (no-op)"].added == results["again (no-op)"].updated == 0
    body = table(
        ["load_gazetteer() + commit", "runs", "median s", "max s", "peak MiB (tracemalloc)",
         "result"],
        [[label, str(len(times)), f"{statistics.median(times):.2f}", f"{max(times):.2f}",
          f"{max(peaks[label]):.1f}", str(results[label])] for label, times in rows.items()])
    print(body)
    write_section(f"gazetteer_load/{services_label()}",
                  f"Loading the gazetteer ({services_label()})", body)


if __name__ == "__main__":
    main()
