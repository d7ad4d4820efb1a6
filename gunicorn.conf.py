"""gunicorn settings read from the working directory: ``gunicorn wsgi:app``.

gunicorn writes ``Server: gunicorn`` itself, before Flask sees the response; naming the
server software only helps an attacker pick an exploit, so the name is blanked here.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "-"

# Callback bodies are tiny; bound header sizes too.
limit_request_field_size = 8190
