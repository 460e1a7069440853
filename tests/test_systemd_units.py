"""The unit files parse, verify, keep the daemon's contract and stay hardened."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "systemd"
SYSTEM_UNIT = UNITS / "syncd.service"
USER_UNIT = UNITS / "syncd-user.service"
SYSUSERS = UNITS / "syncd.sysusers.conf"
MAX_EXPOSURE = 1.5

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def directives(unit: Path) -> dict[str, list[str]]:
    """``Section.Key`` -> values in order (systemd keys may repeat)."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in unit.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{unit.name}: not a key=value line: {raw!r}"
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


def _run(
    args: list[str], env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({"SYSTEMD_LOG_LEVEL": "notice", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"})
    env.update(env_extra or {})
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)


def _runnable_copy(unit: Path, dest: Path, exec_start: str) -> Path:
    """The unit with every ExecStart pointing at a binary that exists here, for verify."""
    text = unit.read_text(encoding="utf-8")
    replaced, count = re.subn(r"(?m)^ExecStart=\S+", f"ExecStart={exec_start}", text)
    assert count >= 1
    dest.mkdir(parents=True, exist_ok=True)
    copy = dest / unit.name
    copy.write_text(replaced, encoding="utf-8")
    return copy


def _executable() -> str:
    venv_syncd = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "syncd"
    return str(venv_syncd) if venv_syncd.exists() else "/bin/true"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Service.Type", ["notify"]),
        ("Service.NotifyAccess", ["main"]),
        ("Service.ExecStart", ["/usr/bin/syncd run"]),
        ("Service.ExecReload", ["/bin/kill -HUP $MAINPID"]),
        ("Service.WatchdogSec", ["60"]),
        ("Service.Restart", ["on-failure"]),
        ("Service.RestartPreventExitStatus", ["2"]),
        ("Service.TimeoutStopSec", ["45"]),
        ("Service.User", ["syncd"]),
        ("Service.StateDirectory", ["syncd"]),
        ("Service.ConfigurationDirectory", ["syncd"]),
        ("Service.Environment", ["SYNCD_CONFIG=/etc/syncd/config.toml"]),
        (
            "Service.LoadCredentialEncrypted",
            ["zotero-api-key:/etc/credstore.encrypted/zotero-api-key"],
        ),
        ("Service.UMask", ["0077"]),
        ("Service.ProtectSystem", ["strict"]),
        ("Service.RestrictAddressFamilies", ["AF_UNIX AF_INET AF_INET6"]),
        ("Install.WantedBy", ["multi-user.target"]),
    ],
)
def test_system_unit_contract(key: str, expected: list[str]) -> None:
    assert directives(SYSTEM_UNIT).get(key) == expected


def test_system_unit_keeps_the_network_open() -> None:
    # The Zotero API is on the internet; an IP deny list or private network would
    # cut the daemon off from it.
    found = directives(SYSTEM_UNIT)
    assert "Service.PrivateNetwork" not in found
    assert "Service.IPAddressDeny" not in found


def test_system_unit_documents_plain_credential_alternative() -> None:
    text = SYSTEM_UNIT.read_text(encoding="utf-8")
    assert re.search(r"(?m)^#\s*LoadCredential=zotero-api-key:", text)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Service.Type", ["notify"]),
        ("Service.NotifyAccess", ["main"]),
        ("Service.WatchdogSec", ["60"]),
        ("Service.RestartPreventExitStatus", ["2"]),
        ("Service.ExecReload", ["/bin/kill -HUP $MAINPID"]),
        ("Install.WantedBy", ["default.target"]),
    ],
)
def test_user_unit_contract(key: str, expected: list[str]) -> None:
    assert directives(USER_UNIT).get(key) == expected


def test_user_unit_has_no_system_only_settings() -> None:
    found = directives(USER_UNIT)
    for key in ("Service.User", "Service.Group", "Service.LoadCredentialEncrypted"):
        assert key not in found


@needs_analyze
def test_system_unit_verifies(tmp_path: Path) -> None:
    assert ANALYZE is not None
    copy = _runnable_copy(SYSTEM_UNIT, tmp_path / "system", f"{_executable()} run")
    result = _run([ANALYZE, "verify", "--man=no", str(copy)])
    output = (result.stdout + result.stderr).strip()
    # verify exits 0 even for unknown keys or bad values; it only warns, so any
    # output at all is treated as a failure.
    assert result.returncode == 0, output
    assert output == ""


@needs_analyze
def test_user_unit_verifies(tmp_path: Path) -> None:
    assert ANALYZE is not None
    copy = _runnable_copy(USER_UNIT, tmp_path / "user", f"{_executable()} run")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = _run(
        [ANALYZE, "--user", "verify", "--man=no", str(copy)],
        {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)},
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert output == ""


@needs_analyze
def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    # Guards the two tests above: a typo must produce output that they would flag.
    assert ANALYZE is not None
    text = SYSTEM_UNIT.read_text(encoding="utf-8").replace("Type=notify", "Type=notfy")
    broken = tmp_path / "broken.service"
    broken.write_text(text, encoding="utf-8")
    copy = _runnable_copy(broken, tmp_path / "b", "/bin/true")
    result = _run([ANALYZE, "verify", "--man=no", str(copy)])
    assert "notfy" in result.stdout + result.stderr


def _exposure(unit: Path) -> float:
    assert ANALYZE is not None
    result = _run([ANALYZE, "security", "--offline=true", "--no-pager", str(unit)])
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    assert match, output
    return float(match[1])


@needs_analyze
def test_system_unit_exposure_is_low() -> None:
    exposure = _exposure(SYSTEM_UNIT)
    assert exposure <= MAX_EXPOSURE, f"exposure {exposure} > {MAX_EXPOSURE}"


def documented_dropin(unit: Path) -> list[str]:
    """The ``Key=value`` lines of the example drop-in in the unit's header comment."""
    header = unit.read_text(encoding="utf-8").split("[Unit]")[0]
    lines = re.findall(r"(?m)^#   ([A-Za-z]+=.*)$", header)
    assert lines, "no example drop-in found in the unit's header"
    return lines


@needs_analyze
def test_documented_dropin_keeps_exposure_low(tmp_path: Path) -> None:
    dropin = documented_dropin(SYSTEM_UNIT)
    assert any(line.startswith("BindPaths=") for line in dropin)
    assert any(line.startswith("ReadWritePaths=") for line in dropin)
    combined = tmp_path / "syncd.service"
    combined.write_text(
        SYSTEM_UNIT.read_text(encoding="utf-8") + "\n[Service]\n" + "\n".join(dropin) + "\n",
        encoding="utf-8",
    )
    exposure = _exposure(combined)
    assert exposure <= MAX_EXPOSURE, f"exposure with the drop-in {exposure} > {MAX_EXPOSURE}"
    copy = _runnable_copy(combined, tmp_path / "v", "/bin/true run")
    result = _run([ANALYZE or "systemd-analyze", "verify", "--man=no", str(copy)])
    assert (result.stdout + result.stderr).strip() == ""


@needs_analyze
def test_exposure_parser_sees_an_unhardened_unit(tmp_path: Path) -> None:
    plain = tmp_path / "plain.service"
    plain.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")
    assert _exposure(plain) > 5.0


def test_sysusers_declares_the_service_user() -> None:
    entries = [
        line.split()
        for line in SYSUSERS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert [(e[0], e[1]) for e in entries] == [("u", "syncd")]
    assert entries[0][-1] == "/usr/sbin/nologin"


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="no systemd-sysusers")
def test_sysusers_file_parses(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    tool = shutil.which("systemd-sysusers")
    assert tool is not None
    result = _run(
        [tool, f"--root={tmp_path}", "--dry-run", str(SYSUSERS)], {"SYSTEMD_LOG_LEVEL": "info"}
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Creating user 'syncd'" in output
