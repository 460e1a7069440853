"""README's account of the tests a plain ``pytest`` run leaves out stays true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# Any values: collecting sends no request, and these make conftest keep the live tests.
LIVE_ENV = {
    "SYNCD_LIVE_BASE_URL": "http://127.0.0.1:9",
    "SYNCD_LIVE_API_KEY": "x",
    "SYNCD_LIVE_LIBRARY": "users/1",
}


def _collect(*args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_LIVE_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env={**env, **LIVE_ENV},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 5), result.stdout + result.stderr  # 5: none collected
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_readme_counts_the_tests_a_plain_run_leaves_out() -> None:
    stated = re.search(r"The run ends with `(\d+) deselected`", README.read_text("utf-8"))
    assert stated, "README.md no longer says how many tests a plain run deselects"
    assert len(_collect("-m", "slow or live")) == int(stated[1])


def test_the_live_tests_are_the_contract_suite_run_on_a_real_library() -> None:
    live = _collect("-m", "live")
    assert live
    for node in live:
        path, _, name = node.partition("::")
        assert re.fullmatch(r"tests/sandbox/test_contract_\w+\.py", path), node
        assert name.endswith("[live]"), node
