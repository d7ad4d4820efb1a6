"""gunicorn settings of a Linda web process: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

``linda serve --server gunicorn`` uses the same values (``app/web/server.py``). Every value can
be overridden from the environment named beside it, so a unit file needs no edited copy.
"""

import os

bind = os.environ.get("LINDA_BIND", "127.0.0.1:8000")
# Two sync workers per core, plus one: a hop spends most of its time in Python.
workers = int(os.environ.get("WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
# AT gives up on a USSD hop after ~10 s; a request still running at 30 s is stuck.
timeout = 30
graceful_timeout = 20
keepalive = 5  # behind nginx, which keeps its upstream connections open
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = 100000
max_requests_jitter = 10000
proc_name = "linda-web"
accesslog = None  # nginx logs requests; paths carry the webhook token
errorlog = "-"
loglevel = os.environ.get("LINDA_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("LINDA_FORWARDED_ALLOW_IPS", "127.0.0.1")

# No preload_app: each worker builds the app after the fork, so no database connection or
# Redis socket is ever shared between processes.

# The server name blanked, and metrics of several processes added up (app/web/gunicorn_hooks.py).
from app.web.gunicorn_hooks import child_exit, hide_server_name, on_starting  # noqa: E402

hide_server_name()
limit_request_field_size = 8190
__all__ = ["child_exit", "on_starting"]
