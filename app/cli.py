"""The ``linda`` command: a Flask CLI group over the app factory.

Every failure a person can cause (a bad setting, an unreachable database, a bad file) ends in
one line saying what went wrong and how to fix it, and a non-zero exit.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import sqlalchemy.exc
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from app.config import ConfigError
from app.environment import app_from_environment
from app.extensions import db
from app.ops.guards import warn_at_start
from app.ops.logs import configure_logging
from app.worker.reconcile import reconcile
from app.worker.runner import EmbeddedRunner, ReconcilerThread, drain, make_worker


class LindaGroup(FlaskGroup):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("prog_name", "linda")
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ConfigError as exc:
            click.echo(f"linda: configuration error: {exc}", err=True)
            sys.exit(2)
        except sqlalchemy.exc.OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"linda: cannot use the database: {reason}. Check DATABASE_URL, "
                       "that the server runs, and that `linda db upgrade` was run.", err=True)
            sys.exit(3)
        except sqlalchemy.exc.ArgumentError as exc:
            click.echo(f"linda: DATABASE_URL is not a valid database URL: {exc}", err=True)
            sys.exit(2)


# The .env files are read by app_from_environment (also used by wsgi.py), not by Flask's CLI:
# one loading path for both entry points. ``--env-file FILE`` still works and wins over .env.
cli = LindaGroup(create_app=app_from_environment,
                 help="Linda: report and refer child trafficking cases.",
                 add_version_option=False, set_debug_flag=False, load_dotenv=False)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--server", "server_name", type=click.Choice(["auto", "gunicorn", "waitress"]),
              default=None, help="auto (default, or WEB_SERVER): gunicorn when "
              "LINDA_ENV=production, waitress otherwise")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="gunicorn worker processes (default WEB_WORKERS, else 2 x cores + 1)")
@click.option("--threads", default=8, show_default=True, type=int,
              help="waitress threads (one process)")
@with_appcontext
def serve_command(host: str, port: int, server_name: str | None, workers: int | None,
                  threads: int) -> None:
    """Serve the web app; without REDIS_URL also run the worker in this process."""
    from app.web.server import choose_server, default_workers, gunicorn_options, serve_gunicorn

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging(app)
    warn_at_start(app)
    if not app.config.get("SANDBOX_BASE_URL"):
        app.config["SANDBOX_BASE_URL"] = f"http://{_reachable(host)}:{port}"
    server = choose_server(server_name or app.config["WEB_SERVER"], app.config)
    embedded_worker = (app.extensions["linda_jobs"].embedded
                       and app.config["LINDA_EMBEDDED_WORKER"])
    if server == "gunicorn":
        if embedded_worker:
            raise click.ClickException(
                "gunicorn runs several processes, and the embedded queue lives in one: set "
                "REDIS_URL and run `linda worker`, or use --server waitress")
        if sys.platform == "win32":
            raise click.ClickException("gunicorn does not run on Windows: use --server waitress")
        count = workers or app.config["WEB_WORKERS"] or default_workers()
        _print_banner(app, host, port)
        click.echo(f"gunicorn with {count} worker processes")
        serve_gunicorn(app, gunicorn_options(host, port, count))
        return
    import waitress  # only `linda serve` needs the HTTP server; other commands start faster

    _print_banner(app, host, port)
    runner = None
    if embedded_worker:
        runner = EmbeddedRunner(app)
        runner.start()
        click.echo("embedded worker, scheduler and reconciler running in this process")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident=WAITRESS_IDENT)
    finally:
        if runner is not None:
            runner.stop()


#: Empty: waitress then sends no ``Server`` header at all (a name helps only an attacker).
WAITRESS_IDENT = ""


def _reachable(host: str) -> str:
    """The address this process can reach itself at, for the sandbox's own HTTP calls."""
    return "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104


def _print_banner(app: Flask, host: str, port: int) -> None:
    """The callback URLs: in full on a laptop, token masked in production (logs keep it)."""
    from app.web.cli import CALLBACK_PATHS
    from app.web.redact import mask

    base = f"http://{host}:{port}"
    token = app.config["LINDA_WEBHOOK_TOKEN"]
    production = app.config["LINDA_ENV"] == "production"
    click.echo(f"Linda on {base}  (database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]},"
               f" queue: {'embedded' if not app.config['REDIS_URL'] else 'redis'})")
    click.echo("Africa's Talking callback URLs:")
    for path in CALLBACK_PATHS:
        click.echo(f"  {base}/at/{mask(token) if production else token}/{path}")
    if production:
        click.echo("  (token masked; `linda callback-urls --base https://YOUR-HOST` prints them "
                   "in full, once, for the Africa's Talking dashboard)")
    if not app.config.get("AT_USERNAME"):
        click.echo(f"No AT account configured: SMS go to the sandbox at {base}/sandbox/")


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Run due jobs, then exit (tests, cron).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the RQ worker with its scheduler and the reconciler."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging(app)
    warn_at_start(app)
    if app.extensions["linda_jobs"].embedded and not burst:
        raise click.ClickException(
            "REDIS_URL is not set: `linda serve` already runs the worker in-process; "
            "set REDIS_URL to run a separate worker")
    db.engine.dispose()
    if burst:
        reconcile()
        click.echo(f"ran {drain(app)} job(s)")
        return
    ReconcilerThread(app).start()
    make_worker(app, listening=True).work(with_scheduler=True, logging_level="INFO")


def main() -> None:
    cli.main()
