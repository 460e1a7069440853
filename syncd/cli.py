"""The ``syncd`` command line.

Exit codes are part of the interface scripts rely on: 0 ok, 1 some records or
files failed, 2 usage or configuration error, 75 API unavailable past the retry
budget (running again finishes the job).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from syncd import __version__
from syncd.errors import SyncdError

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.sync.outcome import SyncReport
    from syncd.sync.session import SyncInput

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 75

F = TypeVar("F", bound=Callable[..., Any])


class SyncdGroup(click.Group):
    """Turns the project's own errors into one readable line and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SyncdError as exc:
            click.echo(f"syncd: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=SyncdGroup)
@click.version_option(__version__, prog_name="syncd")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: $SYNCD_CONFIG, else the platform config dir).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Keep a Zotero library in step with RIS exports."""
    from syncd.logs import setup_logging

    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbosity"] = -1 if quiet else verbose
    setup_logging(_log_verbosity(ctx.obj["verbosity"], ctx.invoked_subcommand))


#: Commands whose log is their output (a journal, a narration); the others print
#: their results, and their progress lines (INFO) only with -v.
_LOGGING_COMMANDS = frozenset({"run", "demo", "sandbox"})


def _log_verbosity(verbosity: int, command: str | None) -> int:
    if command in _LOGGING_COMMANDS or verbosity < 0:
        return verbosity
    return verbosity - 1


def _config(ctx: click.Context) -> Config:
    from syncd.config import load_config

    return load_config(ctx.obj["config_path"])


def _inputs(
    files: tuple[Path, ...], collection: str | None, tags: tuple[str, ...]
) -> list[SyncInput]:
    from syncd.sync.session import SyncInput

    return [SyncInput(path, collection, tags) for path in files]


_files_argument = click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
_collection_option = click.option(
    "--collection", help='Add the items to this collection (a path like "Imports/Scopus").'
)
_tag_option = click.option("--tag", "tags", multiple=True, help="Add this tag (repeatable).")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["json", "jsonl"]),
    default="json",
    show_default=True,
    help="A JSON array, or one JSON object per line as records are read.",
)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A Zotero schema JSON (as served at /schema) instead of the bundled one.",
)
@click.pass_context
def convert(
    ctx: click.Context, files: tuple[Path, ...], out_format: str, schema_path: Path | None
) -> None:
    """Print the Zotero items the records of FILES map to, as JSON.

    Each element holds "item", "notes", "identifiers" and "source". Problems go
    to stderr, one line each with file and line.
    """
    from syncd import jsonio
    from syncd.convert import convert_file
    from syncd.ris.mapping import ConvertedRecord
    from syncd.schema import Schema, bundled_schema

    schema = Schema.from_json(schema_path.read_bytes()) if schema_path else bundled_schema()
    # Bytes straight to stdout: the records are encoded as UTF-8 once, by orjson.
    out = sys.stdout.buffer
    failed = False
    first = True
    seen: dict[str, int] = {}
    if out_format == "json":
        out.write(b"[")
    for path in files:
        try:
            for entry in convert_file(path, schema):
                if isinstance(entry, ConvertedRecord):
                    data = jsonio.dumps(entry.as_json())
                    if out_format == "json":
                        out.write((b"\n" if first else b",\n") + data)
                    else:
                        out.write(data + b"\n")
                    first = False
                else:
                    failed = failed or entry.severity == "error"
                    seen[entry.severity] = seen.get(entry.severity, 0) + 1
                    if entry.severity != "info" or ctx.obj["verbosity"] > 0:
                        click.echo(str(entry), err=True)
        except SyncdError as exc:
            failed = True
            seen["error"] = seen.get("error", 0) + 1
            click.echo(f"{exc}", err=True)
    if out_format == "json":
        out.write(b"\n]\n" if not first else b"]\n")
    out.flush()
    count = problem_count(
        seen.get("error", 0),
        seen.get("warning", 0),
        seen.get("info", 0),
        shown=ctx.obj["verbosity"] > 0,
    )
    if count:
        click.echo(count, err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@_files_argument
@_collection_option
@_tag_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def plan(
    ctx: click.Context,
    files: tuple[Path, ...],
    collection: str | None,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Show what `syncd sync` would do with FILES. Writes nothing to Zotero."""
    from syncd.app import open_session
    from syncd.sync.outcome import SyncReport
    from syncd.sync.render import plan_json, plan_lines

    with open_session(_config(ctx)) as session:
        the_plan, read = session.plan(_inputs(files, collection, tags))
    report = SyncReport([], read.problems, read.failed_files)
    if as_json:
        click.echo(json.dumps(plan_json(the_plan, report), ensure_ascii=False, indent=2))
    else:
        for line in plan_lines(the_plan):
            click.echo(line)
    _echo_problems(report, ctx.obj["verbosity"])
    _echo_count(report, ctx.obj["verbosity"])
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@main.command()
@_files_argument
@_collection_option
@_tag_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write NAME.report.json and NAME.report.txt for each file into DIR, as the daemon does.",
)
@click.pass_context
def sync(
    ctx: click.Context,
    files: tuple[Path, ...],
    collection: str | None,
    tags: tuple[str, ...],
    as_json: bool,
    report_dir: Path | None,
) -> None:
    """Create and update Zotero items from the records of FILES."""
    from rich.progress import Progress

    from syncd.app import open_session
    from syncd.core.plan import Plan
    from syncd.sync.render import summary_json, summary_line

    show_progress = sys.stderr.isatty() and not as_json and ctx.obj["verbosity"] >= 0
    with (
        open_session(_config(ctx)) as session,
        Progress(transient=True, disable=not show_progress) as bar,
    ):
        task = bar.add_task("syncing", total=None)

        def on_plan(p: Plan) -> None:
            bar.update(task, total=len(p.actions), description=f"syncing {len(p.actions)} records")

        report = session.sync(
            _inputs(files, collection, tags),
            progress=lambda n: bar.advance(task, n),
            on_plan=on_plan,
        )
    if as_json:
        click.echo(json.dumps(summary_json(report)))
    else:
        for outcome in report.outcomes:
            if outcome.kind == "failed":
                continue  # on stderr, below
            # A create with a message ("shares DOI with ...", "possible duplicate of
            # ...") is for the user to check.
            noted = outcome.kind == "created" and bool(outcome.message)
            if (
                outcome.kind not in ("unchanged", "created", "updated")
                or noted
                or ctx.obj["verbosity"] > 0
            ):
                click.echo(outcome.line())
        click.echo(summary_line(report))
    _echo_problems(report, ctx.obj["verbosity"])
    for outcome in report.outcomes:
        if outcome.kind == "failed":
            click.echo(outcome.line(), err=True)
    if report_dir is not None:
        _write_reports(report_dir, files, report)
    _echo_count(report, ctx.obj["verbosity"])
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


def _write_reports(directory: Path, files: tuple[Path, ...], report: SyncReport) -> None:
    """The daemon's report files, one pair per input file (names kept apart)."""
    from syncd.files import ensure_private_dir, file_sha256
    from syncd.reports import file_report, report_document, write_report_files

    ensure_private_dir(directory)
    used: set[str] = set()
    for path in dict.fromkeys(files):
        name, n = path.name, 0
        while name in used:
            n += 1
            stem, dot, suffix = path.name.partition(".")
            name = f"{stem}-{n}{dot}{suffix}"
        used.add(name)
        document = report_document(path, file_report(report, path), file_sha256(path))
        write_report_files(directory / name, document)


def _echo_problems(report: SyncReport, verbosity: int) -> None:
    for problem in report.problems:
        if problem.severity != "info" or verbosity > 0:
            click.echo(str(problem), err=True)
    for failed in report.failed_files:
        click.echo(failed, err=True)


def _echo_count(report: SyncReport, verbosity: int) -> None:
    """One closing line counting what was said above (and what was not)."""
    errors = sum(1 for p in report.problems if p.severity == "error") + len(report.failed_files)
    errors += sum(1 for o in report.outcomes if o.kind == "failed")
    warnings = sum(1 for p in report.problems if p.severity == "warning")
    notes = sum(1 for p in report.problems if p.severity == "info")
    line = problem_count(errors, warnings, notes, shown=verbosity > 0)
    if line:
        click.echo(line, err=True)


def problem_count(errors: int, warnings: int, notes: int, *, shown: bool) -> str:
    """``2 errors, 1 warning, 40 notes not shown (-v shows them)``; '' when there is
    nothing to count (notes alone are routine: a clean run stays silent)."""

    def n(count: int, what: str) -> str:
        return f"{count} {what}{'' if count == 1 else 's'}"

    said = [n(c, w) for c, w in ((errors, "error"), (warnings, "warning")) if c]
    if notes and (said or shown):
        said.append(n(notes, "note") if shown else f"{n(notes, 'note')} not shown (-v shows them)")
    return f"syncd: {', '.join(said)}" if said else ""


@main.group()
def key() -> None:
    """Store, check or delete the Zotero API key in the keyring."""


@key.command("set")
def key_set() -> None:
    """Read the key from standard input (or a hidden prompt) and store it."""
    from syncd.credentials import store_api_key

    if sys.stdin.isatty():
        value = click.prompt("Zotero API key", hide_input=True)
    else:
        value = sys.stdin.readline()
    store_api_key(value)
    click.echo("the API key is stored in the keyring")


@key.command("check")
@click.pass_context
def key_check(ctx: click.Context) -> None:
    """Check that the key works and may write to the configured library."""
    from syncd.app import make_client

    config = _config(ctx)
    with make_client(config) as client:
        client.check_write_access()
    click.echo(f"the API key can read and write {config.library} at {config.base_url}")


@key.command("delete")
def key_delete() -> None:
    """Remove the key from the keyring."""
    from syncd.credentials import delete_api_key

    if delete_api_key():
        click.echo("the API key was removed from the keyring")
    else:
        click.echo("the keyring held no syncd API key")


@main.command()
@click.option(
    "--once",
    is_flag=True,
    help="Sync what is in the folders now, then exit (for timers and cron).",
)
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Run the daemon: watch the configured folders and sync what arrives."""
    from syncd.service import run_daemon

    path = ctx.obj["config_path"]
    sys.exit(run_daemon(str(path) if path else None, once=once))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the daemon's view: library, mirror, files pending, processed, failed."""
    from syncd.service import status_of
    from syncd.state import StateDB

    config = _config(ctx)
    if not config.state_path.exists():
        click.echo(f"no state yet at {config.state_path}: syncd has not run with this config")
        sys.exit(EXIT_OK)
    with StateDB.open(config.state_path) as db:
        info = status_of(db, config.library, config.state_path)
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    for line in status_lines(info):
        click.echo(line)


def status_lines(info: dict[str, Any]) -> list[str]:
    def row(label: str, value: Any) -> str:
        return f"{label + ':':<28} {'-' if value is None or value == '' else value}"

    if info.get("daemon_running"):
        daemon = f"running (pid {info['daemon_pid']})" if info.get("daemon_pid") else "running"
    elif info.get("command_pid"):
        daemon = f"not running (a sync, pid {info['command_pid']}, is using the state)"
    else:
        daemon = "not running"
    refreshed = info.get("last_mirror_refresh")
    lines = [
        row("library", info["library"]),
        row("daemon", daemon),
        row("daemon started", info.get("daemon_started_at")),
        row("daemon last seen", info.get("daemon_heartbeat")),
        row("mirror at library version", info.get("mirror_version")),
        row(
            "items (not notes)",
            None
            if info.get("mirror_items") is None
            else f"{info['mirror_items']} as of the last refresh ({refreshed})",
        ),
        row("files pending", info["files_pending"]),
        row("files processed today", info["files_processed_today"]),
        row("files failed today", info["files_failed_today"]),
    ]
    lines += [f"  {f['file']}: {f['why']}" for f in info.get("failed_files_today", [])]
    refused = info.get("refused_records_today", [])
    lines.append(row("records failed today", len(refused)))
    for r in refused:
        text = f"  {r['file']}:{r['line']} {r['title']!r}"
        lines.append(f"{text}: {r['message']}" if r["message"] else text)
    lines.append(row("last error", info.get("last_error")))
    return lines


@main.command()
@click.option("--keep", is_flag=True, help="Keep the temporary folder (inbox, reports, state).")
@click.pass_context
def demo(ctx: click.Context, keep: bool) -> None:
    """Show syncd at work on a local sandbox library, with the bundled example exports."""
    import logging

    from syncd.demo import run_demo

    if ctx.obj["verbosity"] <= 0:
        # The demo narrates what happens; the daemon's own log is there with -v.
        logging.getLogger().setLevel(logging.WARNING)
    sys.exit(run_demo(click.echo, keep=keep))


@main.command()
@click.option(
    "--port",
    type=int,
    default=0,
    help="Default: the port the --data DIR sandbox used last, else a free one (kept in DIR).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the library in DIR/sandbox.sqlite (default: in memory).",
)
@click.option("--key", "api_key", help="The API key to accept (default: a new random one).")
@click.option("--user-id", type=int, default=1, show_default=True)
def sandbox(port: int, data_dir: Path | None, api_key: str | None, user_id: int) -> None:
    """Run a local Zotero Web API sandbox on 127.0.0.1 (for trying syncd safely)."""
    from syncd.sandbox import serve

    serve(port or None, data_dir, key=api_key, user_id=user_id)
