"""Chaos run: `syncd run` against a faulty sandbox, SIGKILLed at random, restarted.

2,000 records in 20 files (several overlapping: the same works again with corrected
fields), synced by the daemon while the sandbox answers 429 (10%), 500 (5%), 503 (5%),
resets the connection (2%) and commits a write then resets (2%), and the daemon is
killed with SIGKILL 5 times at random moments and restarted. The end state is
compared with the expected library field by field: duplicates, missing items, wrong
fields, and files without a report must all be 0. Every tenth work also names a PDF
(L1, from an allowed folder of its own) and a web link (L2): each must end as exactly
one stored file with the right md5 and one linked URL (duplicate or missing
attachments count as failures too). The seed makes a failure replayable.

    .venv/bin/python benchmarks/chaos.py --seeds 1-10
    .venv/bin/python benchmarks/chaos.py --seeds 7 --records 200 --files 5 --kills 2

    .venv/bin/python benchmarks/chaos.py --seeds 1-10 --local

``--local`` runs it against the sandbox's Zotero desktop mode (the local API): no
429 or 503 there (no rate limit), the same 500s and resets, and "Zotero" is also
restarted with each kill (its write tokens and one-time keys are in memory).

The test suite runs a small configuration of the same code (tests/security/test_chaos.py,
tests/desktop/test_chaos_desktop.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from measured import measured_on

from syncd.sandbox import FaultPlan, Sandbox

KEY = "chaos-test-key-000000000000"
FIELDS = ("title", "pages", "volume", "DOI")


@dataclass
class ChaosResult:
    seed: int
    records: int
    files: int
    kills: int
    seconds: float
    duplicates: int
    missing: int
    wrong_fields: int
    unreported_files: int
    requests: Counter[str] = field(default_factory=Counter)
    attachment_duplicates: int = 0
    attachment_missing: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.duplicates
            or self.missing
            or self.wrong_fields
            or self.unreported_files
            or self.attachment_duplicates
            or self.attachment_missing
        )

    def line(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.requests.items()))
        return (
            f"seed {self.seed}: {self.records} records, {self.files} files, {self.kills} kills, "
            f"{self.seconds:.1f} s | duplicates {self.duplicates}, missing {self.missing}, "
            f"wrong fields {self.wrong_fields}, files without report {self.unreported_files}, "
            f"attachments duplicated {self.attachment_duplicates}, "
            f"missing {self.attachment_missing} "
            f"| {'PASS' if self.ok else 'FAIL'} | requests: {faults}"
        )


def make_exports(
    rng: random.Random, records: int, files: int
) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """Files of ris text, and the expected final fields per DOI (last file wins)."""
    per_file = records // files
    repeats = per_file // 5 if files > 1 else 0
    expected: dict[str, dict[str, str]] = {}
    exports = []
    next_work = 0
    for f in range(files):
        chosen: list[int] = []
        if f > 0 and repeats:
            chosen = rng.sample(range(next_work), min(repeats, next_work))
        fresh = per_file - len(chosen)
        chosen += list(range(next_work, next_work + fresh))
        next_work += fresh
        lines = []
        for work in chosen:
            doi = f"10.6666/chaos.{work}"
            version = f
            fields = {
                "title": f"Chaos work {work}"
                + (f", corrected in file {f}" if work < next_work - fresh else ""),
                "pages": f"{work}-{work + 10 + version}",
                "volume": str(1 + version),
                "DOI": doi,
            }
            expected[doi] = fields
            lines.append(
                "\n".join(
                    [
                        "TY  - JOUR",
                        f"TI  - {fields['title']}",
                        f"AU  - Author{work % 97}, A.",
                        "PY  - 2024",
                        "JO  - Journal of Chaos",
                        f"VL  - {fields['volume']}",
                        f"SP  - {fields['pages']}",
                        f"DO  - {doi}",
                        "ER  - ",
                    ]
                )
            )
        exports.append((f"export{f:02}.ris", "\n".join(lines) + "\n"))
    return exports, expected


def with_attachments(
    rng: random.Random, exports: list[tuple[str, str]], papers: Path, every: int
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Every ``every``-th work names a PDF in ``papers`` (written here) and a link;
    returns the exports and the expected md5 per DOI."""
    papers.mkdir(parents=True, exist_ok=True)
    md5s: dict[str, str] = {}
    out = []
    for name, text in exports:
        records = []
        for rec in text.split("ER  - "):
            doi = next((ln[6:] for ln in rec.splitlines() if ln.startswith("DO  - ")), None)
            work = int(doi.rsplit(".", 1)[1]) if doi else -1
            if doi and work % every == 0:
                pdf = papers / f"work-{work}.pdf"
                if not pdf.exists():
                    pdf.write_bytes(b"%PDF-1.4\n" + rng.randbytes(20_000) + b"\n%%EOF\n")
                md5s[doi] = hashlib.md5(pdf.read_bytes()).hexdigest()
                rec += f"L1  - {pdf}\nL2  - https://example.org/chaos/{work}\n"
            records.append(rec)
        out.append((name, "ER  - ".join(records)))
    return out, md5s


def attachment_errors(items: list[dict[str, Any]], md5s: dict[str, str]) -> tuple[int, int]:
    """(duplicated, missing) attachments against the expected md5 per DOI."""
    doi_of = {i["key"]: str(i.get("DOI", "")).lower() for i in items if i.get("DOI")}
    files: Counter[tuple[str, str]] = Counter()
    links: Counter[str] = Counter()
    for item in items:
        doi = doi_of.get(str(item.get("parentItem")))
        if item.get("itemType") != "attachment" or doi is None:
            continue
        if item.get("linkMode") == "imported_file":
            files[(doi, str(item.get("md5")))] += 1
        elif item.get("linkMode") == "linked_url":
            links[doi] += 1
    duplicated = sum(c - 1 for c in files.values()) + sum(c - 1 for c in links.values())
    missing = sum(1 for doi, md5 in md5s.items() if files[(doi, md5)] == 0)
    missing += sum(1 for doi in md5s if links[doi] == 0)
    return duplicated, missing


def _config(work: Path, url: str, inbox: Path, *, local: bool = False) -> Path:
    library = (
        f'[[library]]\nname = "desktop"\napi = "local"\ntype = "user"\nid = 0\nbase_url = "{url}"\n'
        if local
        else f'[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "{url}"\n'
    )
    cfg = work / "config.toml"
    cfg.write_text(
        f"""{library}
[state]
path = "{work / "state.sqlite"}"

[daemon]
settle = 0.3
rescan = 1
refresh = 30
retry = 0.2

[attachments]
roots = ["{work / "papers"}"]

[[watch]]
path = "{inbox}"
""",
        encoding="utf-8",
    )
    return cfg


def _start(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZOTERO_API_KEY": KEY, "ZOTERO_API_KEY_DESKTOP": KEY}
    env.pop("NOTIFY_SOCKET", None)
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "syncd", "--config", str(cfg), "run"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _reports(inbox: Path) -> int:
    folder = inbox / "processed"
    return len(list(folder.glob("*.report.json"))) if folder.exists() else 0


class _Daemon:
    """The ``syncd run`` process under test, started again after each kill."""

    def __init__(self, cfg: Path, log: Path) -> None:
        self.cfg = cfg
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = _start(self.cfg, self.log)

    def kill(self) -> None:
        """SIGKILL: no chance to finish a write or a report."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def start_if_exited(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()  # a crash of ours would show in the figures

    def stop(self) -> None:
        """SIGTERM, as systemd stops it: the daemon finishes what it is doing."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        self.proc = None

    def kill_if_running(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def _make_faulty(sandbox: Sandbox, seed: int, retry_after: int) -> None:
    """A library and key for the daemon, and the faults it meets (none that the
    local API cannot give: no 429 or 503 there)."""
    if sandbox.local is not None:
        sandbox.local.add_key(KEY)
    else:
        sandbox.add_user_library(1)
        sandbox.add_key(KEY, user_id=1, user_write=True)
    local = sandbox.local is not None
    sandbox.faults = FaultPlan(
        seed=seed,
        rate_429=0.0 if local else 0.10,
        retry_after=retry_after,
        rate_500=0.05,
        rate_503=0.0 if local else 0.05,
        rate_reset_before=0.02,
        rate_reset_after_commit=0.02,
    )


def _exports(
    rng: random.Random, records: int, files: int, papers: Path, attachments_every: int
) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]], dict[str, str]]:
    """The export files, the expected fields per DOI and the expected md5 per DOI."""
    exports, expected = make_exports(rng, records, files)
    md5s: dict[str, str] = {}
    if attachments_every:
        exports, md5s = with_attachments(rng, exports, papers, attachments_every)
    return exports, expected, md5s


def _drop(inbox: Path, exports: list[tuple[str, str]]) -> None:
    """Each export appears whole in the inbox (renamed into place), one after another."""
    for name, text in exports:
        tmp = inbox / f".{name}.part"
        tmp.write_text(text, encoding="utf-8")
        tmp.rename(inbox / name)
        time.sleep(0.02)  # distinct arrival order


def _kill_and_restart(
    daemon: _Daemon, rng: random.Random, kills: int, sandbox: Sandbox, *, local: bool
) -> None:
    for _ in range(kills):
        time.sleep(rng.uniform(0.5, 3.0))
        daemon.kill()
        if local:
            sandbox.restart()  # Zotero's write tokens and one-time keys are in memory
        daemon.start()


def _wait_for_reports(daemon: _Daemon, inbox: Path, files: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _reports(inbox) < files and time.monotonic() < deadline:
        daemon.start_if_exited()
        time.sleep(0.2)


def _library_errors(
    items: list[dict[str, Any]], expected: dict[str, dict[str, str]]
) -> tuple[int, int, int]:
    """(duplicated, missing, wrong fields) of the regular items against the expected
    fields per DOI."""
    by_doi: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item.get("itemType") not in ("note", "attachment"):
            by_doi.setdefault(str(item.get("DOI", "")).lower(), []).append(item)
    duplicates = sum(len(v) - 1 for v in by_doi.values())
    missing = sum(1 for doi in expected if doi not in by_doi)
    wrong = 0
    for doi, fields in expected.items():
        for item in by_doi.get(doi, [])[:1]:
            wrong += sum(1 for name in FIELDS if item.get(name) != fields[name])
    return duplicates, missing, wrong


def _unreported(inbox: Path, exports: list[tuple[str, str]]) -> int:
    reported = {p.name[: -len(".report.json")] for p in (inbox / "processed").glob("*.report.json")}
    return sum(1 for name, _ in exports if name not in reported)


def run_chaos(
    seed: int,
    *,
    records: int = 2000,
    files: int = 20,
    kills: int = 5,
    retry_after: int = 1,
    timeout: float = 600.0,
    workdir: Path | None = None,
    attachments_every: int = 10,
    local: bool = False,
) -> ChaosResult:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix=f"syncd-chaos-{seed}-", dir=workdir))
    inbox = work / "inbox"
    inbox.mkdir()
    sandbox = Sandbox(local=local)
    sandbox.start()
    library = sandbox.local_library if local else "users/1"
    started = time.monotonic()
    daemon: _Daemon | None = None
    keep = True  # a run that does not get to its verdict keeps its files too
    try:
        _make_faulty(sandbox, seed, retry_after)
        exports, expected, md5s = _exports(rng, records, files, work / "papers", attachments_every)
        url = sandbox.local_url if local else sandbox.url
        daemon = _Daemon(_config(work, url, inbox, local=local), work / "daemon.log")
        daemon.start()
        _drop(inbox, exports)
        _kill_and_restart(daemon, rng, kills, sandbox, local=local)
        _wait_for_reports(daemon, inbox, files, timeout)
        daemon.stop()
        everything = sandbox.all_items(library, include_trashed=True)
        duplicates, missing, wrong = _library_errors(everything, expected)
        attachments_duplicated, attachments_missing = attachment_errors(everything, md5s)
        result = ChaosResult(
            seed=seed,
            records=records,
            files=files,
            kills=kills,
            seconds=time.monotonic() - started,
            duplicates=duplicates,
            missing=missing,
            wrong_fields=wrong,
            unreported_files=_unreported(inbox, exports),
            requests=Counter(r.fault or str(r.status) for r in sandbox.log),
            attachment_duplicates=attachments_duplicated,
            attachment_missing=attachments_missing,
        )
        keep = not result.ok
        return result
    finally:
        if daemon is not None:
            daemon.kill_if_running()
        sandbox.stop()
        if keep or os.environ.get("SYNCD_CHAOS_KEEP"):
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", default="1-10", help="seeds to run, e.g. 1-10 or 3,7")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of the 429s (s)")
    parser.add_argument("--local", action="store_true", help="against Zotero desktop's local API")
    args = parser.parse_args()
    print(measured_on(), flush=True)
    failures = 0
    for seed in _seeds(args.seeds):
        result = run_chaos(
            seed,
            records=args.records,
            files=args.files,
            kills=args.kills,
            retry_after=args.retry_after,
            local=args.local,
        )
        print(result.line(), flush=True)
        failures += not result.ok
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
