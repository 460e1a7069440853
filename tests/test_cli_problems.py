"""Issue 15, item 10: what `plan`, `sync` and `convert` say on stderr.

One line per problem, each with file and line; routine mapping notes and the
progress log only with -v; a count at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import TEST_KEY

EXPORT = (
    "TY  - BOOK\nTI  - A book\nIS  - 3\nPY  - 2020\nDO  - 10.5555/book\nER  - \n\n"
    "TY  - JOUR\nTI  - No year\nDA  - spring\nT2  - Journal\nDO  - 10.5555/noyear\nER  - \n"
)


def syncd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZOTERO_API_KEY": TEST_KEY},
    )


def config(tmp_path: Path, sandbox: Any) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "{sandbox.url}"\n'
        f'[state]\npath = "{tmp_path / "state.sqlite"}"\n',
        encoding="utf-8",
    )
    return path


def test_plan_and_sync_print_one_line_per_problem_with_file_and_line_then_a_count(
    sandbox: Any, tmp_path: Path
) -> None:
    cfg = config(tmp_path, sandbox)
    export = tmp_path / "scopus.ris"
    export.write_text(EXPORT, encoding="utf-8")
    for command in ("plan", "sync"):
        run = syncd("--config", str(cfg), command, str(export))
        assert run.returncode == 0, run.stderr
        *problems, count = run.stderr.splitlines()
        assert problems == [
            f"{export}:8: warning: date has no year; kept as is for Zotero to read: 0000 spring"
        ]
        assert count == "syncd: 1 warning, 1 note not shown (-v shows them)"


def test_routine_notes_and_progress_lines_only_with_v(sandbox: Any, tmp_path: Path) -> None:
    cfg = config(tmp_path, sandbox)
    export = tmp_path / "scopus.ris"
    export.write_text(EXPORT, encoding="utf-8")
    quiet = syncd("--config", str(cfg), "plan", str(export))
    verbose = syncd("--config", str(cfg), "-v", "plan", str(export))
    assert " INFO " not in quiet.stderr
    assert " INFO " in verbose.stderr
    assert f"{export}:1: info: issue is not a field of book; kept in Extra" in verbose.stderr
    assert verbose.stderr.splitlines()[-1] == "syncd: 1 warning, 1 note"


def test_convert_names_the_record_line_of_a_note_about_the_whole_record(
    tmp_path: Path,
) -> None:
    export = tmp_path / "scopus.ris"
    export.write_text(EXPORT, encoding="utf-8")
    run = syncd("-v", "convert", str(export))
    lines = run.stderr.splitlines()
    assert all(re.match(rf"{re.escape(str(export))}:\d+: ", line) for line in lines[:-1])
    assert lines[-1] == "syncd: 1 warning, 1 note"
