"""Operating commands: `ksgov server`, `ksgov worker`, `ksgov db upgrade`, `ksgov keys rotate`,
`ksgov keys record`, `ksgov demo`.

What each command needs is imported when it runs, so `--help` stays fast.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import print_json, settings
from cli.simulate import MeetingsOption
from harness.choices import meeting_scope

if TYPE_CHECKING:
    from harness.demo import DemoSummary

db_app = typer.Typer(help="The record store: migrations.", no_args_is_help=True)
keys_app = typer.Typer(
    help="The keys: payload keys that seal Temporal payloads (docs/security.md) and the record "
    "key that signs the audit log (docs/guarantees.md).",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: KSGOV_DATA_DIR, else ./.ksgov)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]


def register(app: typer.Typer) -> None:
    """Add the operating commands to `app`."""
    app.command()(server)
    app.command()(worker)
    app.command()(demo)
    app.add_typer(db_app, name="db")
    app.add_typer(keys_app, name="keys")


def server(data_dir: DataDir = None) -> None:
    """Run the Temporal dev server with its data in the data directory, until Ctrl-C.

    The web UI listens on KSGOV_UI_PORT and ksgov's search attributes are registered. Started
    again on the same data directory, it finds its workflows still there.
    """
    from harness.devserver import DevServer

    s = settings()
    dev = DevServer(
        data_dir or s.data_dir, s.temporal_host, s.temporal_port, s.ui_port, s.temporal_namespace
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does: no orphan server
    try:
        dev.start(output=None)
        typer.echo(f"Temporal dev server at {dev.address}, data in {dev.db_file}")
        typer.echo(f"Web UI: http://{dev.host}:{dev.ui_port}/namespaces/{dev.namespace}")
        dev.wait_listening()
        typer.echo("Ready. Press Ctrl-C to stop.", err=False)
        assert dev.process is not None
        dev.process.wait()
    except KeyboardInterrupt:
        typer.echo("Stopping the Temporal dev server ...")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second one must not interrupt the stop
            signal.signal(signum, signal.SIG_IGN)
        dev.stop()
    typer.echo("Stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def worker() -> None:
    """Run the ksgov worker (workflows and activities) until Ctrl-C, like `python worker.py`."""
    import worker as worker_module

    settings()  # a bad setting is one line, not a traceback
    worker_module.main()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations to the configured database (KSGOV_DATABASE_URL; default SQLite)."""
    from service.migrate import migrate
    from store import db

    s = settings()
    url = s.resolved_database_url
    migrate(url, "KSGOV_DATABASE_URL", revision)  # a database that refuses: one line, exit 3
    typer.echo(f"Database {db.display_url(url)} is at revision {revision}.")


@keys_app.command("rotate")
def keys_rotate(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Key file (default: KSGOV_PAYLOAD_KEY_FILE, else payload-keys in the data "
            "directory); made if missing.",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Put a new key first in the key file: it seals from now on, and the older keys stay to open
    what they sealed. Restart the worker and every other ksgov process to seal with it."""
    from cli.common import fail
    from sealing import Keyring, KeyringError, read_key_file, write_key_file

    s = settings()
    if file is None and s.payload_keys.get_secret_value():
        fail(
            "KSGOV_PAYLOAD_KEYS is set: rotate the keys where that value is kept, or give "
            "--file for a key file"
        )
    path = file or s.payload_key_file or s.data_dir / "payload-keys"
    try:
        ring = read_key_file(path, create=False).rotated() if path.exists() else Keyring.generate()
        write_key_file(path, ring)
    except (KeyringError, OSError) as exc:
        reason = str(exc) if isinstance(exc, KeyringError) else f"{path}: {exc.strerror}"
        fail(reason)
    if json_out:
        print_json({"file": path, "current": ring.current, "keys": len(ring.keys)})
        return
    older = len(ring.keys) - 1
    typer.echo(f"Key {ring.current} seals from now on ({path}); {older} older key(s) kept.")


@keys_app.command("record")
def keys_record(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Key file (default: KSGOV_RECORD_KEY_FILE, else record-key in the data "
            "directory).",
        ),
    ] = None,
) -> None:
    """Make the record key that signs the audit log, if there is none, and print its public half
    (PEM) for auditors. An existing key is kept: a new one would not match the signatures."""
    from cli.common import fail
    from store.signing import RecordKeyError, read_record_key

    path = file or settings().record_key_path
    try:
        key = read_record_key(path, create=True)
    except (RecordKeyError, OSError) as exc:
        fail(str(exc) if isinstance(exc, RecordKeyError) else f"{path}: {exc.strerror}")
    typer.echo(key.public.pem(), nl=False)


def demo(
    as_json: JsonFlag = False,
    simulation: Annotated[
        bool, typer.Option(help="Also simulate a whole term (--no-simulation: a quick check).")
    ] = True,
    meetings: MeetingsOption = "national",
) -> None:
    """Run the main scenario end to end on the embedded default and print a summary.

    Imports the member registry through a real workflow on the embedded dev server (started,
    with a worker, if none is running, and stopped afterwards), then simulates a whole term
    on the time-skipping server with the real workflows, activities and SMTP delivery: the
    county meetings, the Landsting, four years of Hovedstyret's and Landsstyret's meetings,
    two vacancies and the hand-over, in about a minute. `--meetings all` adds the county
    boards' and county meetings' (about 470 meetings, about four minutes).
    """
    from harness import demo as demo_service
    from telemetry import configure_logging

    s = settings()
    configure_logging(s.log_format, "WARNING")
    progress = (lambda _msg: None) if as_json else (lambda msg: typer.echo(f"• {msg}", err=True))
    summary = demo_service.run(s, progress, simulation, meeting_scope(meetings))
    if as_json:
        print_json(summary.as_dict())
        return
    _print_summary(summary)


ALL_ORGANS = {"hovedstyret", "landsstyret", "county_board", "county_meeting"}


def _print_summary(summary: DemoSummary) -> None:
    registry, chain = summary.registry, "verified" if summary.audit_verified else "BROKEN"
    rows = [
        ("member registry", f"{registry['members']} members from {registry['source']}"),
        ("", f"inserted {registry['inserted']}, updated {registry['updated']}, "
         f"unchanged {registry['unchanged']}"),
        ("record store", summary.database),
        ("audit log", f"{summary.audit_entries} entries, chain {chain}"),
        ("", f"head {summary.audit_head}"),
        ("started, stopped", ", ".join(summary.started) or "nothing (all was running)"),
        ("took", f"{summary.wall_seconds} s"),
        ("web UI", summary.ui_url),
    ]  # fmt: skip
    typer.echo("\nksgov demo: summary")
    for label, text in rows + _simulation_rows(summary.simulation):
        typer.echo(f"  {label:<18}{text}")
    if summary.simulation is not None and set(summary.simulation["meetings"]) < ALL_ORGANS:
        typer.echo(
            "  (the county boards' and county meetings' meetings too: `ksgov demo --meetings all`"
            " or `ksgov simulate`, about four minutes)"
        )
    if summary.started:
        typer.echo("  (the web UI answers while a server runs: start one with `ksgov server`)")
    if summary.simulation is not None:
        typer.echo("  (the console on this term, with a login per role: `ksgov web --demo`)")


def _simulation_rows(term: dict[str, Any] | None) -> list[tuple[str, str]]:
    if term is None:
        return []
    organs = term["organs"]
    hs, ls = organs.get("hovedstyret", {}), organs.get("landsstyret", {})
    sent = ", ".join(f"{k} {v}" for k, v in term["notifications"]["per_purpose"].items())
    broken = [name for name, verdict in term["invariants"].items() if verdict != "ok"]
    return [
        (
            "simulated term",
            f"{term['term']} under {term['bylaws']}: {term['counties']} counties, "
            f"{term['municipalities']} municipalities, {term['delegates']} Landsting delegates",
        ),
        (
            "",
            f"Hovedstyret {hs.get('size')} led by {hs.get('leader')}; Landsstyret {ls.get('size')}",
        ),
        (
            "",
            f"{term['elections']} elections, {term['workflows']} workflow runs, "
            f"{term['activities']} activities, {term['timers']} timers",
        ),
        (
            "meetings",
            ", ".join(
                f"{o} {m['held']} of {m['planned']} held" for o, m in term["meetings"].items()
            ),
        ),
        ("notices", f"{term['notifications']['total']} ({sent})"),
        ("invariants", "all hold" if not broken else f"BROKEN: {', '.join(broken)}"),
        ("its records", term["records"]),
    ]
