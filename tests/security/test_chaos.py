"""The chaos run (benchmarks/chaos.py) in a small configuration: faults, SIGKILLs,
overlapping exports; the end state must be exact, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from chaos import run_chaos


@pytest.mark.parametrize("seed", [11, 12])
def test_chaos_small(tmp_path: Path, seed: int) -> None:
    result = run_chaos(
        seed, records=300, files=6, kills=3, retry_after=0, timeout=240, workdir=tmp_path
    )
    assert result.ok, result.line()
    # The faults did happen (the run is not vacuous).
    assert sum(v for k, v in result.requests.items() if not k.startswith("2")) > 0
