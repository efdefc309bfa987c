"""`ksgov web`: the console (web pages and the HTTP API) with uvicorn."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import fail, local, settings

if TYPE_CHECKING:
    from config import Settings


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port (default: KSGOV_WEB_PORT, 8000)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help="Processes serving the console (one per core serves more users at once).",
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="On the latest `ksgov demo` term, with a login per role."),
    ] = False,
) -> None:
    """Serve the console: login, the county secretaries' input, the audit, and the published
    minutes and protocols (where KSGOV_PUBLIC_URL points). Ctrl-C stops it."""
    if not host.strip():
        fail("--host is empty: give the address to listen on, e.g. 127.0.0.1")
    import uvicorn

    from web.app import create_app

    config = settings()
    chosen = port or config.web_port
    _can_listen(host, chosen)
    if demo:
        config = _demo(config)
    app = local(lambda: create_app(config))
    typer.echo(f"The console at http://{host}:{chosen}/ (Ctrl-C stops)")
    if workers == 1:
        uvicorn.run(app, host=host, port=chosen, log_level="warning", access_log=False)
        return
    # Each process builds its own application from the environment, which the settings came
    # from; the demo's store is handed on through it.
    os.environ["KSGOV_DATABASE_URL"] = config.resolved_database_url
    typer.echo(f"{workers} processes")
    uvicorn.run("web.app:from_environment", factory=True, workers=workers, host=host,
                port=chosen, log_level="warning", access_log=False)  # fmt: skip


def _can_listen(host: str, port: int) -> None:
    """One line and exit 2 for an address this machine cannot listen on (uvicorn would log a
    traceback-free error and exit 1)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, UnicodeError) as exc:
        fail(f"cannot listen on {host}:{port} ({getattr(exc, 'strerror', None) or exc})")


def _demo(config: Settings) -> Settings:
    """The settings on the latest simulation's store, its demo logins printed."""
    from pydantic import SecretStr

    from harness.console_demo import prepare

    made = local(lambda: prepare(config.data_dir))
    typer.echo(f"The simulated term's records: {made.database_url}")
    typer.echo("Demo logins (new passwords each start; Temporal is not needed for the audit):")
    for name, role, password in made.logins:
        typer.echo(f"  {name:<12} {role:<12} {password}")
    return config.model_copy(update={"database_url": SecretStr(made.database_url)})
