"""`tensor-playground serve`: run the server with the settings from the environment,
overridden by the command line. `tensor-playground db upgrade`: migrate the store."""

from __future__ import annotations

import argparse

import uvicorn

from app.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tensor-playground")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the playground over HTTP")
    serve.add_argument("--host", help="listen address (PLAYGROUND_HOST; 0.0.0.0 for a LAN)")
    serve.add_argument("--port", type=int, help="listen port (PLAYGROUND_PORT)")
    serve.add_argument("--workers", type=int, help="runs at once (PLAYGROUND_MAX_RUNS)")
    db = commands.add_parser("db", help="the store's database (PLAYGROUND_DATABASE_URL)")
    db.add_argument("action", choices=["upgrade"], help="upgrade: migrate the schema, then exit")
    args = parser.parse_args(argv)
    if args.command == "db":
        from app.store.database import upgrade_command

        raise SystemExit(upgrade_command(Settings()))

    overrides = {
        key: value
        for key, value in (("host", args.host), ("port", args.port), ("max_runs", args.workers))
        if value is not None
    }
    settings = Settings(**overrides)
    from app.main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # app.web.accesslog writes one JSON line per request instead
        timeout_graceful_shutdown=settings.max_timeout_s + 5,
    )
