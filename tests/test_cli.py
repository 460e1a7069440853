"""The command line as scripts use it: output shapes and exit codes 0, 1, 2, 75."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from schema_helpers import schema_document
from sync_helpers import export_text, make_records

from syncd.sandbox import FaultPlan, validate

SEED = Path(__file__).parent / "fixtures" / "seed_scopus_pure.ris"


def syncd(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def config(tmp_path: Path, sandbox: Any, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "{sandbox.url}"\n'
        f'[state]\npath = "{tmp_path / "state.sqlite"}"\n{extra}',
        encoding="utf-8",
    )
    return path


def test_convert_prints_a_json_array_of_records() -> None:
    run = syncd("convert", str(SEED))
    assert run.returncode == 0, run.stderr
    (record,) = json.loads(run.stdout)
    assert set(record) >= {"item", "notes", "identifiers", "source"}
    assert record["item"]["itemType"] == "journalArticle"
    assert record["identifiers"]["pmid"] == "22829849"
    assert record["source"] == {**record["source"], "file": str(SEED), "line": 1}
    assert run.stderr == ""  # informational notes only with -v


def test_convert_jsonl_and_problems_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "mixed.ris"
    bad.write_text(
        export_text(make_records(1)) + "TY  - JOUR\nTI  - cut off\n" + "\x00" * 3 + "\n",
        encoding="utf-8",
    )
    png = tmp_path / "image.ris"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    run = syncd("convert", "--format", "jsonl", str(bad), str(png))
    lines = run.stdout.splitlines()
    assert json.loads(lines[0])["item"]["title"] == "Record r0 on a topic"
    assert f"{png}" in run.stderr and "binary" in run.stderr
    assert run.returncode == 1


def test_convert_with_a_schema_saved_from_the_server(tmp_path: Path) -> None:
    saved = tmp_path / "schema.json"
    document = schema_document(drop=("journalArticle", "volume"))
    saved.write_text(json.dumps(document), encoding="utf-8")
    run = syncd("convert", "--schema", str(saved), str(SEED))
    assert run.returncode == 0, run.stderr
    (record,) = json.loads(run.stdout)
    assert "volume" not in record["item"]
    assert "Volume: 2012" in record["item"]["extra"].splitlines()

    saved.write_text("<html>not a schema</html>", encoding="utf-8")
    broken = syncd("convert", "--schema", str(saved), str(SEED))
    assert broken.returncode == 2
    assert "schema" in broken.stderr and broken.stdout == ""


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert syncd("convert").returncode == 2
    assert syncd("frobnicate").returncode == 2
    missing = syncd("--config", str(tmp_path / "none.toml"), "plan", str(SEED))
    assert missing.returncode == 2
    assert "no configuration file" in missing.stderr


def test_plan_then_sync_json_then_nothing_to_do(sandbox: Any, tmp_path: Path) -> None:
    cfg = config(tmp_path, sandbox)
    export = tmp_path / "a.ris"
    export.write_text(export_text(make_records(5)), encoding="utf-8")
    env = {"ZOTERO_API_KEY": TEST_KEY}
    plan = syncd("--config", str(cfg), "plan", "--json", str(export), env=env)
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["counts"]["create"] == 5
    assert sandbox.count(kind="write") == 0
    run = syncd("--config", str(cfg), "sync", "--json", str(export), env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "conflicts": 0,
        "failed": 0,
        "skipped": 0,
        "ambiguous": 0,
        "ambiguous_records": [],
    }
    again = syncd("--config", str(cfg), "sync", "--json", str(export), env=env)
    assert json.loads(again.stdout)["unchanged"] == 5
    text = syncd("--config", str(cfg), "plan", str(export), env=env)
    assert text.stdout.startswith("create: 0  update: 0  unchanged: 5")
    status = syncd("--config", str(cfg), "status", "--json", env=env)
    assert json.loads(status.stdout)["library"] == "users/1"


def test_failed_records_exit_1_and_are_named(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # syncd cuts values to the API's documented limits; a stricter server still refuses.
    monkeypatch.setattr(validate, "FIELD_MAX_BYTES", 1_000)
    cfg = config(tmp_path, sandbox)
    export = tmp_path / "a.ris"
    huge = "TY  - JOUR\nTI  - Too long\nDO  - 10.4242/huge\nAB  - " + "x" * 2_000 + "\nER  - \n"
    export.write_text(export_text(make_records(2)) + huge, encoding="utf-8")
    run = syncd(
        "--config", str(cfg), "sync", "--json", str(export), env={"ZOTERO_API_KEY": TEST_KEY}
    )
    assert run.returncode == 1
    assert json.loads(run.stdout)["created"] == 2
    assert f"{export}:" in run.stderr and "failed" in run.stderr


def test_api_unavailable_past_the_budget_exits_75(sandbox: Any, tmp_path: Path) -> None:
    cfg = config(tmp_path, sandbox, "[sync]\nretry_budget = 2\n")
    sandbox.faults = FaultPlan(rate_503=1.0, retry_after=0)
    run = syncd("--config", str(cfg), "sync", str(SEED), env={"ZOTERO_API_KEY": TEST_KEY})
    assert run.returncode == 75, run.stderr
    assert "unavailable" in run.stderr.lower() or "503" in run.stderr


def test_missing_key_is_a_clear_config_error(sandbox: Any, tmp_path: Path) -> None:
    cfg = config(tmp_path, sandbox)
    env = {
        "ZOTERO_API_KEY": "",
        "CREDENTIALS_DIRECTORY": "",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    run = syncd("--config", str(cfg), "sync", str(SEED), env=env)
    assert run.returncode == 2
    assert "ZOTERO_API_KEY" in run.stderr and "syncd key set" in run.stderr


def test_an_ambiguous_record_is_counted_with_its_candidates_and_exits_1(
    sandbox: Any, tmp_path: Path
) -> None:
    cfg = config(tmp_path, sandbox)
    env = {"ZOTERO_API_KEY": TEST_KEY}
    head = "TY  - JOUR\nTI  - Sleep spindles and memory\nAU  - Smith, John\nPY  - 2020\n"
    files = {
        "pmid.ris": head + "UR  - https://pubmed.ncbi.nlm.nih.gov/34000001\nER  - \n",
        "doi.ris": head + "DO  - 10.5555/sp.1\nER  - \n",
        "both.ris": head + "DO  - 10.5555/sp.1\n"
        "UR  - https://pubmed.ncbi.nlm.nih.gov/34000001\nER  - \n",
    }
    runs = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        runs.append(syncd("--config", str(cfg), "sync", "--json", str(tmp_path / name), env=env))
    assert [r.returncode for r in runs] == [0, 0, 1]
    summary = json.loads(runs[2].stdout)
    assert (summary["ambiguous"], summary["skipped"]) == (1, 0)
    (record,) = summary["ambiguous_records"]
    keys = sorted(i["key"] for i in sandbox.all_items("users/1"))
    assert record["candidates"] == keys and len(keys) == 2
