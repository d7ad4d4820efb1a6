"""What every gunicorn that serves Linda needs, whichever way it is started
(``linda serve`` in production, ``gunicorn wsgi:app`` with ``gunicorn.conf.py``, or
``deploy/gunicorn.conf.py``), kept in one place so the three cannot drift apart.

- gunicorn writes ``Server: gunicorn`` itself, before Flask sees the response; naming the
  server software only helps an attacker pick an exploit, so the name is blanked.
- Metrics of several web processes are added up from files in PROMETHEUS_MULTIPROC_DIR: the
  directory is emptied when gunicorn starts (no counts of processes from before) and a process
  that exits is marked dead, so its gauges stop counting.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any


def hide_server_name() -> None:
    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = "-"


def on_starting(server: object) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
