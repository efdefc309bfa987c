"""`ksgov web`: the console (web pages and the HTTP API) with uvicorn."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from cli.common import fail, settings


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port (default: KSGOV_WEB_PORT, 8000)."),
    ] = None,
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
    app = create_app(config)
    typer.echo(f"The console at http://{host}:{chosen}/ (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=chosen, log_level="warning", access_log=False)


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
