"""Running real syncs against the sandbox in tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from syncd.app import open_session
from syncd.config import Config
from syncd.core.plan import Options
from syncd.sync.outcome import SyncReport
from syncd.sync.session import SyncInput, SyncSession
from syncd.zotero.retry import RetryPolicy

FAST_RETRY = RetryPolicy(max_elapsed=60.0, max_attempts=40, base_delay=0.001, max_delay=0.01)
LIBRARY = "users/1"


def config_for(sandbox: Any, state: Path, **options: Any) -> Config:
    return Config(
        library_type="user",
        library_id=1,
        base_url=sandbox.url,
        state_path=state,
        **options,
    )


@contextmanager
def session_for(
    sandbox: Any, state: Path, key: str, options: Options | None = None, **config: Any
) -> Iterator[SyncSession]:
    with open_session(config_for(sandbox, state, **config), api_key=key, policy=FAST_RETRY) as s:
        if options is not None:
            s.options = options
        yield s


def export_text(records: Sequence[dict[str, Any]]) -> str:
    """RIS text for simple journal records: {title, doi, pages, year, authors}."""
    out = []
    for r in records:
        lines = ["TY  - JOUR", f"TI  - {r['title']}"]
        lines += [f"AU  - {a}" for a in r.get("authors", ("Doe, Jane",))]
        lines += [f"PY  - {r.get('year', '2021')}", "JO  - Journal of Tests"]
        if r.get("doi"):
            lines.append(f"DO  - {r['doi']}")
        if r.get("pages"):
            lines.append(f"SP  - {r['pages']}")
        for note in r.get("notes", ()):
            lines.append(f"N1  - {note}")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def make_records(n: int, prefix: str = "r", **overrides: Any) -> list[dict[str, Any]]:
    return [
        {
            "title": f"Record {prefix}{i} on a topic",
            "doi": f"10.5555/{prefix}{i}",
            "pages": f"{i}-{i + 9}",
            **overrides,
        }
        for i in range(n)
    ]


def write_export(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    path.write_text(export_text(records), encoding="utf-8")
    return path


def sync_file(session: SyncSession, path: Path, **kw: Any) -> SyncReport:
    return session.sync([SyncInput(path, **kw)])


def regular_items(sandbox: Any) -> list[dict[str, Any]]:
    return [
        i
        for i in sandbox.all_items(LIBRARY, include_trashed=True)
        if i.get("itemType") not in ("note", "attachment")
    ]


def doi_counts(sandbox: Any) -> Counter[str]:
    return Counter(str(i.get("DOI", "")).lower() for i in regular_items(sandbox))
