"""Settings for ``gunicorn -c gunicorn.conf.py wsgi:app`` (see docs/OPERATIONS.md).

Metrics of several web processes are added up from files in PROMETHEUS_MULTIPROC_DIR: the
directory is emptied when gunicorn starts (no counts of processes from before) and a process
that exits is marked dead, so its gauges stop counting.
"""

import os
import shutil
from pathlib import Path
from typing import Any


def on_starting(server: object) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
