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
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from syncd import __version__
from syncd.errors import CredentialError, SyncdError, UsageError
from syncd.formats import Format

if TYPE_CHECKING:
    from syncd.config import Config, LibraryConfig
    from syncd.formats.records import Severity
    from syncd.state import StateDB
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
_library_option = click.option(
    "--library",
    "library",
    metavar="NAME",
    help="The [[library]] to use (default: the default library, [zotero]).",
)


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
    "--from",
    "from_format",
    type=click.Choice([fmt.value for fmt in Format]),
    help="Read FILES as this format instead of detecting it from their content.",
)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A Zotero schema JSON (as served at /schema) instead of the bundled one.",
)
@click.pass_context
def convert(
    ctx: click.Context,
    files: tuple[Path, ...],
    out_format: str,
    from_format: str | None,
    schema_path: Path | None,
) -> None:
    """Print the Zotero items the records of FILES map to, as JSON.

    Each element holds "item", "notes", "identifiers" and "source". Problems go
    to stderr, one line each with file and line.
    """
    from syncd import jsonio
    from syncd.convert import convert_file
    from syncd.formats.records import ConvertedRecord
    from syncd.schema import Schema, bundled_schema

    schema = Schema.from_json(schema_path.read_bytes()) if schema_path else bundled_schema()
    # Bytes straight to stdout: the records are encoded as UTF-8 once, by orjson.
    out = sys.stdout.buffer
    failed = False
    first = True
    seen: dict[Severity, int] = {}
    if out_format == "json":
        out.write(b"[")
    for path in files:
        try:
            for entry in convert_file(path, schema, Format(from_format) if from_format else None):
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
@_library_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def plan(
    ctx: click.Context,
    files: tuple[Path, ...],
    collection: str | None,
    tags: tuple[str, ...],
    library: str | None,
    as_json: bool,
) -> None:
    """Show what `syncd sync` would do with FILES. Writes nothing to Zotero."""
    from syncd.app import open_session
    from syncd.sync.outcome import SyncReport
    from syncd.sync.render import plan_json, plan_lines

    with open_session(_config(ctx), library=library) as session:
        the_plan, read = session.plan(_inputs(files, collection, tags))
        previews = session.plan_attachments(the_plan)
    report = SyncReport([], read.problems, read.failed_files)
    if as_json:
        click.echo(json.dumps(plan_json(the_plan, report, previews), ensure_ascii=False, indent=2))
    else:
        for line in plan_lines(the_plan, previews):
            click.echo(line)
    _echo_problems(report, ctx.obj["verbosity"])
    _echo_count(report, ctx.obj["verbosity"])
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@main.command()
@_files_argument
@_collection_option
@_tag_option
@_library_option
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
    library: str | None,
    as_json: bool,
    report_dir: Path | None,
) -> None:
    """Create and update Zotero items from the records of FILES."""
    from rich.progress import Progress

    from syncd.app import open_session
    from syncd.core.plan import Plan
    from syncd.sync.render import outcome_line, summary_json, summary_line, unattached_lines

    show_progress = sys.stderr.isatty() and not as_json and ctx.obj["verbosity"] >= 0
    with (
        open_session(_config(ctx), library=library) as session,
        Progress(transient=True, disable=not show_progress) as bar,
    ):
        task = bar.add_task("syncing", total=None)

        def on_plan(p: Plan) -> None:
            bar.update(task, total=len(p.actions), description=f"syncing {len(p.actions)} records")

        report = session.sync(
            _inputs(files, collection, tags),
            progress=lambda n: bar.advance(task, n),
            on_plan=on_plan,
            on_upload=_upload_bar(bar),
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
                click.echo(outcome_line(outcome))
        click.echo(summary_line(report))
    _echo_problems(report, ctx.obj["verbosity"])
    for outcome in report.outcomes:
        if outcome.kind == "failed":
            click.echo(outcome_line(outcome), err=True)
    for line in unattached_lines(report):
        click.echo(line, err=True)
    if report_dir is not None:
        _write_reports(report_dir, files, report)
    _echo_count(report, ctx.obj["verbosity"])
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


def _write_reports(directory: Path, files: tuple[Path, ...], report: SyncReport) -> None:
    """The daemon's report files, one pair per input file (names kept apart)."""
    from syncd.files import ensure_private_dir, file_sha256
    from syncd.reports import FileReport, file_report, write_report_files

    ensure_private_dir(directory)
    used: set[str] = set()
    for path in dict.fromkeys(files):
        name, n = path.name, 0
        while name in used:
            n += 1
            stem, dot, suffix = path.name.partition(".")
            name = f"{stem}-{n}{dot}{suffix}"
        used.add(name)
        one = FileReport.of_sync(path, file_report(report, path), file_sha256(path))
        write_report_files(directory / name, one)


LARGE_UPLOAD = 5_000_000


def _upload_bar(bar: Any) -> Callable[[str, int, int], None]:
    """A bar per large attachment file while it uploads (``bar``: a rich Progress)."""
    tasks: dict[str, Any] = {}

    def on_upload(name: str, sent: int, size: int) -> None:
        if size < LARGE_UPLOAD:
            return
        if name not in tasks:
            tasks[name] = bar.add_task(f"uploading {name}", total=size)
        bar.update(tasks[name], completed=sent)
        if sent >= size:
            bar.remove_task(tasks.pop(name))

    return on_upload


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
    """Store, check, delete or (Zotero desktop) authorize a library's key."""


@key.command("set")
@_library_option
def key_set(library: str | None) -> None:
    """Read the key from standard input (or a hidden prompt) and store it."""
    from syncd.credentials import store_api_key

    if sys.stdin.isatty():
        value = click.prompt("Zotero API key", hide_input=True)
    else:
        value = sys.stdin.readline()
    store_api_key(value, library=library)
    click.echo("the API key is stored in the keyring")


@key.command("check")
@_library_option
@click.pass_context
def key_check(ctx: click.Context, library: str | None) -> None:
    """Check that the key works and may write to the library."""
    from syncd.app import make_client
    from syncd.config import ApiKind

    config = _config(ctx)
    lib = config.library_named(library)
    with make_client(config, library=lib) as client:
        if lib.api is ApiKind.LOCAL:
            from syncd.desktop import bound_server
            from syncd.state import StateDB

            bound = None
            if config.state_path.exists():
                with StateDB.open(config.state_path) as db:
                    bound = bound_server(db, lib.name)
            client.server_id = bound
            client.check_write_access()
            click.echo(
                f"Zotero desktop answers at {lib.base_url} (server ID "
                f"{bound or client.server_identity()}) and a key is stored for {lib.name}; "
                "the local API cannot tell whether the key is still valid without writing"
            )
            return
        client.check_write_access()
    click.echo(f"the API key can read and write {lib.prefix} at {lib.base_url}")


@key.command("authorize")
@_library_option
@click.pass_context
def key_authorize(ctx: click.Context, library: str | None) -> None:
    """Ask Zotero desktop for a local API key and store it in the keyring."""
    from syncd.config import ApiKind
    from syncd.credentials import key_names, store_api_key
    from syncd.desktop import ALWAYS_ALLOW_NOTE, authorize, bind_server, bound_server
    from syncd.state import StateDB

    config = _config(ctx)
    lib = config.library_named(library)
    if lib.api is not ApiKind.LOCAL:
        raise UsageError(
            f"the library {lib.name!r} is on the Web API: its key comes from "
            "https://www.zotero.org/settings/keys",
            hint=f"store it with `syncd key set --library {lib.name}`",
        )
    click.echo(ALWAYS_ALLOW_NOTE)
    click.echo("waiting for the answer in Zotero...")
    answer = authorize(lib)
    if not answer.lasting:
        raise UsageError(
            f'{lib.name}: Zotero gave a one-time key ("Allow"), spent by the first write; '
            "it was not stored",
            hint=f'run `syncd key authorize --library {lib.name}` again and answer "Always Allow"',
        )
    try:
        store_api_key(answer.key, library=lib.name)
        where = f"the keyring (user {key_names(lib.name)[2]!r})"
    except CredentialError:
        # A headless machine: Zotero's click cannot be had again cheaply (5 a minute,
        # someone at the desktop), so the key goes to a private file instead.
        where = str(_credential_file(lib.name, answer.key))
    with StateDB.open(config.state_path) as db:
        before = bound_server(db, lib.name)
        bind_server(db, lib.name, answer.server_id)
    click.echo(f"the key for {lib.name} is stored in {where}")
    if not where.startswith("the keyring"):
        click.echo(
            f"no usable keyring: set CREDENTIALS_DIRECTORY={Path(where).parent} for syncd, or "
            f"in the systemd unit add LoadCredential={key_names(lib.name)[0]}:{where}"
        )
    if before is not None and before != answer.server_id:
        click.echo(
            f"{lib.name} is now bound to Zotero server {answer.server_id} (was {before}): "
            "syncd keeps this library's state apart from the earlier one"
        )


def _credential_file(library: str, value: str) -> Path:
    """The key in a 0600 file named as its systemd credential, in a 0700 folder."""
    import platformdirs

    from syncd.credentials import key_names
    from syncd.files import atomic_write, ensure_private_dir

    folder = ensure_private_dir(Path(platformdirs.user_config_dir("syncd")) / "credentials")
    path = folder / key_names(library)[0]
    atomic_write(path, value.encode(), mode=0o600, purpose="the local API key")
    return path


@key.command("delete")
@_library_option
def key_delete(library: str | None) -> None:
    """Remove the key from the keyring."""
    from syncd.credentials import delete_api_key

    if delete_api_key(library=library):
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
@_library_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status(ctx: click.Context, library: str | None, as_json: bool) -> None:
    """Show the daemon's view: library, mirror, files pending, processed, failed.

    Without --library, the text shows every library; --json the default one.
    """
    from syncd.state import StateDB

    config = _config(ctx)
    chosen = config.library_named(library)
    if not config.state_path.exists():
        click.echo(f"no state yet at {config.state_path}: syncd has not run with this config")
        sys.exit(EXIT_OK)
    shown = [chosen] if library is not None or as_json else list(config.all_libraries())
    with StateDB.open(config.state_path) as db:
        infos = [_library_status(db, config, lib) for lib in shown]
    if as_json:
        click.echo(json.dumps(infos[0], indent=2, ensure_ascii=False))
        return
    for n, info in enumerate(infos):
        if n:
            click.echo("")
        for line in status_lines(info):
            click.echo(line)


def _library_status(db: StateDB, config: Config, lib: LibraryConfig) -> dict[str, Any]:
    from syncd.config import ApiKind
    from syncd.desktop import bound_server, desktop_state
    from syncd.status import status_of

    mirror = lib.partition
    extra: dict[str, Any] = {}
    if lib.api is ApiKind.LOCAL:
        bound = bound_server(db, lib.name)
        if bound is not None:
            mirror = lib.local_partition(bound)
        extra = {"desktop": desktop_state(lib, bound)}
    info = status_of(db, mirror, config.state_path, inbox_library=lib.partition)
    return {"library_name": lib.name, **info, **extra}


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
    name = info.get("library_name")
    library = f"{name} ({info['library']})" if name and name != "default" else info["library"]
    lines = [row("library", library)]
    if "desktop" in info:
        lines.append(row("Zotero desktop", info["desktop"]))
    lines += [
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
    documents = info.get("documents_waiting", [])
    lines.append(row("documents waiting", len(documents)))
    for d in documents:
        if d["unnamed_at"]:
            lines.append(f"  {d['file']}: no export named it (since {d['since']}); left in place")
        else:
            lines.append(f"  {d['file']}: waiting for an export that names it (since {d['since']})")
    lines.append(row("last error", info.get("last_error")))
    return lines


@main.command()
@click.option("--keep", is_flag=True, help="Keep the temporary folder (inbox, reports, state).")
@click.option("--local", is_flag=True, help="Write through a Zotero desktop (local API) sandbox.")
@click.pass_context
def demo(ctx: click.Context, keep: bool, local: bool) -> None:
    """Show syncd at work on a local sandbox library, with the bundled example exports."""
    import logging

    from syncd.demo import run_demo

    if ctx.obj["verbosity"] <= 0:
        # The demo narrates what happens; the daemon's own log is there with -v.
        logging.getLogger().setLevel(logging.WARNING)
    sys.exit(run_demo(click.echo, keep=keep, local=local))


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
@click.option(
    "--local",
    is_flag=True,
    help="Behave as Zotero desktop's local API (Zotero 10) instead of the Web API.",
)
@click.option(
    "--answer",
    type=click.Choice(["always", "allow", "deny"]),
    default="always",
    show_default=True,
    help="(--local) How the authorization dialog is answered.",
)
def sandbox(
    port: int,
    data_dir: Path | None,
    api_key: str | None,
    user_id: int,
    local: bool,
    answer: str,
) -> None:
    """Run a local Zotero Web API sandbox on 127.0.0.1 (for trying syncd safely)."""
    from syncd.sandbox import serve

    chosen: Literal["always", "allow", "deny"] = (
        "allow" if answer == "allow" else "deny" if answer == "deny" else "always"
    )
    serve(port or None, data_dir, key=api_key, user_id=user_id, local=local, answer=chosen)
