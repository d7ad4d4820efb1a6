"""Settings for ``gunicorn wsgi:app`` run from the checkout (gunicorn reads this file by itself
from the working directory). The hooks are shared with ``linda serve`` and
``deploy/gunicorn.conf.py``: see app/web/gunicorn_hooks.py.
"""

from app.web.gunicorn_hooks import child_exit, hide_server_name, on_starting

hide_server_name()

# Callback bodies are tiny; bound header sizes too.
limit_request_field_size = 8190

__all__ = ["child_exit", "on_starting"]
