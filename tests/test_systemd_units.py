"""The unit files parse, verify, keep the daemon's contract and stay hardened."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.config import load_config

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "systemd"
SYSTEM_UNIT = UNITS / "syncd.service"
USER_UNIT = UNITS / "syncd-user.service"
SYSUSERS = UNITS / "syncd.sysusers.conf"
README = ROOT / "README.md"
MAX_EXPOSURE = 1.5
# The user unit measures 1.9; what keeps it above the system unit's 1.2 is in README.md
# ("As a systemd service"): the network, AF_UNIX, a readable home, settings only system
# units have, and the analyzer taking a unit without User= for root.
MAX_USER_EXPOSURE = 2.0

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
        ("Service.ExecStart", ["/opt/syncd/bin/syncd run"]),
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
        ("Service.ReadWritePaths", ["-/srv/zotero-inbox"]),
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
        ("Service.ExecStart", ["%h/.local/bin/syncd run"]),
        ("Service.PrivateUsers", ["yes"]),
        ("Service.ProtectSystem", ["strict"]),
        ("Service.ReadWritePaths", ["%h/.local/state/syncd", "-%h/Zotero-inbox"]),
        ("Install.WantedBy", ["default.target"]),
    ],
)
def test_user_unit_contract(key: str, expected: list[str]) -> None:
    assert directives(USER_UNIT).get(key) == expected


def test_user_unit_has_no_system_only_settings() -> None:
    # A user manager cannot switch users or groups (SupplementaryGroups= stops the unit
    # with 216/GROUP), and these others are documented as system units only.
    found = directives(USER_UNIT)
    for key in (
        "User",
        "Group",
        "SupplementaryGroups",
        "LoadCredentialEncrypted",
        "ProtectProc",
        "ProcSubset",
        "ProtectControlGroups",
        "RemoveIPC",
    ):
        assert f"Service.{key}" not in found


def test_user_unit_joins_no_namespace_a_reload_could_not_join() -> None:
    # Each command of a user unit gets its own user namespace; ExecReload='s cannot
    # join an IPC or network namespace owned by the main process's (226/NAMESPACE,
    # seen under a systemd 252 user manager).
    found = directives(USER_UNIT)
    for key in ("PrivateIPC", "IPCNamespacePath", "PrivateNetwork", "NetworkNamespacePath"):
        assert f"Service.{key}" not in found


def test_user_unit_keeps_the_session_bus_and_the_network() -> None:
    # The keyring is the Secret Service on the session bus, and the notify socket is in
    # /run/user too: both AF_UNIX, both hidden by ProtectHome=yes or tmpfs.
    found = directives(USER_UNIT)
    assert "AF_UNIX" in found["Service.RestrictAddressFamilies"][0].split()
    assert found["Service.ProtectHome"] == ["read-only"]
    assert "Service.PrivateNetwork" not in found
    assert "Service.IPAddressDeny" not in found


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


def _user_manager_env(home: Path) -> dict[str, str]:
    """What ``systemd-analyze --user`` needs to stand in for a user manager of ``home``."""
    runtime = home / ".runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(home)}


@needs_analyze
def test_user_unit_verifies(tmp_path: Path) -> None:
    assert ANALYZE is not None
    copy = _runnable_copy(USER_UNIT, tmp_path / "user", f"{_executable()} run")
    result = _run([ANALYZE, "--user", "verify", "--man=no", str(copy)], _user_manager_env(tmp_path))
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


def _exposure(unit: Path, user_home: Path | None = None) -> float:
    """The unit's overall exposure; with ``user_home``, as a user unit of that home."""
    assert ANALYZE is not None
    scope: list[str] = []
    env: dict[str, str] = {}
    if user_home is not None:
        scope = ["--user"]
        env = _user_manager_env(user_home)
    result = _run([ANALYZE, *scope, "security", "--offline=true", "--no-pager", str(unit)], env)
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    assert match, output
    return float(match[1])


@needs_analyze
def test_system_unit_exposure_is_low() -> None:
    exposure = _exposure(SYSTEM_UNIT)
    assert exposure <= MAX_EXPOSURE, f"exposure {exposure} > {MAX_EXPOSURE}"


@needs_analyze
def test_user_unit_exposure_is_low(tmp_path: Path) -> None:
    exposure = _exposure(USER_UNIT, user_home=tmp_path)
    assert exposure <= MAX_USER_EXPOSURE, f"exposure {exposure} > {MAX_USER_EXPOSURE}"


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


# -- the documented install steps -------------------------------------------------------


def install_commands(unit: Path) -> list[str]:
    """The install commands in the unit's header: its first block of ``#   `` lines."""
    commands: list[str] = []
    for line in unit.read_text(encoding="utf-8").split("[Unit]")[0].splitlines():
        if line.startswith("#   "):
            commands.append(line[4:].strip())
        elif commands:
            break
    assert commands, f"{unit.name}: no install commands in the header"
    return commands


def readme_install_blocks() -> list[list[str]]:
    """The commands of each ``sh`` block in README's "As a systemd service" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### As a systemd service", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks]


def test_readme_gives_the_install_commands_of_the_unit_headers() -> None:
    assert readme_install_blocks() == [
        install_commands(SYSTEM_UNIT),
        install_commands(USER_UNIT),
    ]


# Each step's program, and why a test cannot run it: it needs root, the network, a
# person at the keyboard, or a running systemd. Every other step runs below, in a
# temporary root. A new step must be put on one side or the other.
RUN_HERE = {"python3", "install", "test", "mkdir"}
NOT_HERE = {
    "pip": "downloads the dependencies; the test venv's syncd stands in for its result",
    "pipx": "downloads the dependencies; the test venv's syncd stands in for its result",
    "systemd-sysusers": "adds a user to /etc/passwd; test_sysusers_file_parses checks it",
    "systemd-creds": "needs the host's credential key",
    "apt-get": "installs a system package",
    "setfacl": "needs the syncd user",
    "editor": "is a person editing the configuration",
    "syncd": "asks for the API key",
    "systemctl": "needs a running service manager",
}


def _program(command: str) -> str:
    return Path(shlex.split(command)[0]).name


def test_every_install_step_is_run_or_says_why_not() -> None:
    for command in install_commands(SYSTEM_UNIT) + install_commands(USER_UNIT):
        assert _program(command) in RUN_HERE | set(NOT_HERE), command


def _relocated(command: str, root: Path) -> str:
    """A system install step with its absolute paths moved under ``root``.

    Owners are dropped (the syncd user does not exist here) and the venv gets no pip
    (pip would install syncd from the network; that step is not run).
    """
    moved = re.sub(r"(?<![\w.~/-])/(opt|etc|srv)/", lambda m: f"{root}/{m[1]}/", command)
    moved = re.sub(r" -[og] \S+", "", moved)
    if moved.startswith("python3 -m venv "):
        moved = f"{shlex.quote(sys.executable)} -m venv --without-pip " + moved.split(" ", 3)[3]
    return moved


def _debian_root(tmp_path: Path) -> Path:
    """An empty system root with the folders the steps expect a Debian system to have."""
    root = tmp_path / "root"
    for folder in ("etc/systemd/system", "opt", "srv"):
        (root / folder).mkdir(parents=True)
    return root


def _run_steps(commands: list[str], env: dict[str, str]) -> list[str]:
    ran = []
    for command in commands:
        if _program(command) not in RUN_HERE:
            continue
        result = subprocess.run(
            ["bash", "-euc", command],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{command}: {result.stderr}"
        ran.append(command)
    return ran


def _entry_point() -> Path:
    """The syncd script of the environment running the tests (what pip/pipx would make)."""
    script = Path(sys.executable).with_name("syncd")
    assert script.exists(), f"no syncd script beside {sys.executable}"
    return script


def _unsandboxed_paths(unit: Path, home: Path | None = None) -> list[Path]:
    values = directives(unit).get("Service.ReadWritePaths", [])
    return [Path(v.lstrip("-").replace("%h", str(home))) for v in values]


@needs_analyze
def test_the_system_install_steps_give_a_unit_that_verifies(tmp_path: Path) -> None:
    assert ANALYZE is not None
    root = _debian_root(tmp_path)
    commands = [_relocated(c, root) for c in install_commands(SYSTEM_UNIT)]
    ran = _run_steps(commands, {})
    assert any("-m venv" in c for c in ran)
    # ExecStart= names the script that `pip install` puts in the venv the steps made.
    exec_start = directives(SYSTEM_UNIT)["Service.ExecStart"][0].split()
    script = root / exec_start[0].lstrip("/")
    assert (script.parent.parent / "pyvenv.cfg").exists()
    assert script.parent.name == "bin" and not script.exists()
    script.symlink_to(_entry_point())
    assert _run([str(script), "--version"]).returncode == 0
    installed = root / "etc/systemd/system/syncd.service"
    relocated = installed.read_text(encoding="utf-8").replace(
        f"ExecStart={exec_start[0]}", f"ExecStart={script}"
    )
    assert relocated != installed.read_text(encoding="utf-8")
    checked = tmp_path / "verify" / "syncd.service"
    checked.parent.mkdir()
    checked.write_text(relocated, encoding="utf-8")
    result = _run([ANALYZE, "verify", "--man=no", str(checked)])
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == ""


def test_the_system_example_config_names_folders_the_steps_make_and_the_unit_opens(
    tmp_path: Path,
) -> None:
    root = _debian_root(tmp_path)
    _run_steps([_relocated(c, root) for c in install_commands(SYSTEM_UNIT)], {})
    config = load_config(root / "etc/syncd/config.toml")
    assert config.watches
    opened = _unsandboxed_paths(SYSTEM_UNIT)
    for watch in config.watches:
        # Absolute, as "~" would be /var/lib/syncd for the service user.
        assert watch.path.is_absolute() and str(watch.path).startswith("/srv/")
        assert (root / watch.path.relative_to("/")).is_dir(), watch.path
        assert any(watch.path.is_relative_to(p) for p in opened), watch.path


def test_the_user_install_steps_give_a_config_and_unit_that_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home)}
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "STATE_DIRECTORY", "SYNCD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    _run_steps(install_commands(USER_UNIT), env)
    # The configuration is where syncd looks by default, and its folders are in the one
    # folder the unit leaves writable, which the steps made.
    config = load_config(None)
    assert config.watches
    opened = _unsandboxed_paths(USER_UNIT, home)
    assert all(p.is_dir() for p in opened)
    for watch in config.watches:
        assert any(watch.path.is_relative_to(p) for p in opened), watch.path
    # The daemon's state is where syncd in a terminal looks (no STATE_DIRECTORY there),
    # and the unit leaves it writable.
    assert config.state_path.parent in opened
    installed = home / ".config/systemd/user/syncd.service"
    assert installed.read_text(encoding="utf-8") == USER_UNIT.read_text(encoding="utf-8")
    # ExecStart= names where pipx puts scripts (~/.local/bin, its default).
    exec_start = directives(installed)["Service.ExecStart"][0].split()[0]
    assert exec_start == "%h/.local/bin/syncd"
    script = home / ".local/bin/syncd"
    script.parent.mkdir(parents=True)
    script.symlink_to(_entry_point())
    if ANALYZE is None:
        pytest.skip("systemd-analyze is not installed")
    result = _run(
        [ANALYZE, "--user", "verify", "--man=no", str(installed)], _user_manager_env(home)
    )
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == ""
