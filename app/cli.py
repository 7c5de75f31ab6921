"""`tensor-playground serve`: the server with the settings from the environment, each
overridden by its command-line flag, under uvicorn with this project's HTTP limits.
`tensor-playground db upgrade`: migrate the store's schema, then exit."""

from __future__ import annotations

import argparse
import sys

import uvicorn
from pydantic import ValidationError

from app.config import Settings
from app.web.protocol import H11_MAX_INCOMPLETE_EVENT_BYTES, bounded_protocol

FLAGS = (
    ("--host", "host", str, "listen address (PLAYGROUND_HOST; 0.0.0.0 for a LAN: class profile)"),
    ("--port", "port", int, "listen port (PLAYGROUND_PORT)"),
    ("--workers", "max_runs", int, "runs executing at once (PLAYGROUND_MAX_RUNS)"),
    ("--profile", "profile", str, "auto, one-user or class (PLAYGROUND_PROFILE)"),
    ("--data-dir", "data_dir", str, "where the SQLite file lives (PLAYGROUND_DATA_DIR)"),
)


def parse(argv: list[str] | None) -> tuple[str, dict[str, object]]:
    """The command, and the settings its flags override."""
    parser = argparse.ArgumentParser(prog="tensor-playground")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the playground over HTTP")
    for flag, field, kind, help_text in FLAGS:
        serve.add_argument(flag, dest=field, type=kind, help=help_text)
    db = commands.add_parser("db", help="the store's database (PLAYGROUND_DATABASE_URL)")
    db.add_argument("action", choices=["upgrade"], help="upgrade: migrate the schema, then exit")
    args = vars(parser.parse_args(argv))
    overrides = {field: args[field] for _, field, _, _ in FLAGS if args.get(field) is not None}
    return args["command"], overrides


def main(argv: list[str] | None = None) -> None:
    command, overrides = parse(argv)
    try:
        settings = Settings(**overrides)  # init arguments win over the environment
    except ValidationError as exc:
        problems = "; ".join(
            f"PLAYGROUND_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        sys.exit(f"tensor-playground: invalid settings: {problems}")
    if command == "db":
        from app.store.database import upgrade_command

        raise SystemExit(upgrade_command(settings))
    from app.main import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=bounded_protocol(settings.header_timeout_s),
        ws="none",
        h11_max_incomplete_event_size=H11_MAX_INCOMPLETE_EVENT_BYTES,
        timeout_keep_alive=settings.keepalive_s,
        log_level="info",
        access_log=False,  # app.web.accesslog writes one JSON line per request instead
        timeout_graceful_shutdown=int(settings.max_timeout_s + 5),
    )
    uvicorn.Server(config).run()
