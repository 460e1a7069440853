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
from typing import Any, TypeVar

import click

from syncd import __version__
from syncd.errors import SyncdError

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
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbosity"] = -1 if quiet else verbose


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
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
def convert(files: tuple[Path, ...], out_format: str, schema_path: Path | None) -> None:
    """Print the Zotero items the records of FILES map to, as JSON.

    Each element holds "item", "notes", "identifiers" and "source". Problems go
    to stderr, one line each with file and line.
    """
    from syncd.convert import convert_file
    from syncd.ris.mapping import ConvertedRecord
    from syncd.schema import Schema, bundled_schema

    schema = Schema.from_json(schema_path.read_bytes()) if schema_path else bundled_schema()
    out = sys.stdout
    failed = False
    first = True
    if out_format == "json":
        out.write("[")
    for path in files:
        try:
            for entry in convert_file(path, schema):
                if isinstance(entry, ConvertedRecord):
                    text = json.dumps(entry.as_json(), ensure_ascii=False)
                    if out_format == "json":
                        out.write(("\n" if first else ",\n") + text)
                    else:
                        out.write(text + "\n")
                    first = False
                else:
                    failed = failed or entry.severity == "error"
                    click.echo(str(entry), err=True)
        except SyncdError as exc:
            failed = True
            click.echo(f"{exc}", err=True)
    if out_format == "json":
        out.write("\n]\n" if not first else "]\n")
    out.flush()
    sys.exit(EXIT_FAILED if failed else EXIT_OK)
