"""The TOML configuration: where it is, what it may say, and checking it.

Lookup order for the file: ``--config PATH``, else ``$SYNCD_CONFIG``, else
``config.toml`` in the platform's config directory (platformdirs). A bad config is
one :class:`ConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from syncd.errors import ConfigError

APP = "syncd"
DEFAULT_BASE_URL = "https://api.zotero.org"
POLICIES = ("merge", "fill-empty", "never-update")
LIBRARY_TYPES = ("user", "group")


@dataclass(frozen=True, slots=True)
class WatchConfig:
    path: Path
    collection: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    """How the daemon paces itself (seconds)."""

    settle: float = 2.0  # a file's size and time must stay put this long
    rescan: float = 60.0  # full rescans of the folders, for missed events
    refresh: float = 900.0  # mirror refresh, to see edits made in Zotero
    retry: float = 30.0  # first wait after a transient failure (doubles each time)
    max_file_mb: float = 512.0  # larger files are turned away: not an export


@dataclass(frozen=True, slots=True)
class AttachmentsConfig:
    """Which files an export may bring along (the export's and watched folders are
    always allowed besides ``roots``)."""

    enabled: bool = True
    roots: tuple[Path, ...] = ()
    max_mb: float = 200.0


@dataclass(frozen=True, slots=True)
class Config:
    library_type: str
    library_id: int
    base_url: str = DEFAULT_BASE_URL
    state_path: Path = field(default_factory=lambda: default_state_path())
    policy: str = "merge"
    recreate_deleted: bool = False
    match_by_title: bool = False
    retry_budget: float = 300.0
    watches: tuple[WatchConfig, ...] = ()
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    source: Path | None = None
    attachments: AttachmentsConfig = field(default_factory=AttachmentsConfig)

    @property
    def library(self) -> str:
        """The API path prefix of the library, e.g. ``users/123``."""
        return f"{self.library_type}s/{self.library_id}"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_state_path() -> Path:
    # Under systemd, StateDirectory= tells us where state belongs.
    state_dir = os.environ.get("STATE_DIRECTORY")
    if state_dir:
        return Path(state_dir.split(":")[0]) / "state.sqlite"
    return Path(platformdirs.user_state_dir(APP)) / "state.sqlite"


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("SYNCD_CONFIG")
    if env:
        return Path(env)
    return default_config_path()


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = resolve_config_path(explicit)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no configuration file at {path}",
            hint="copy config/syncd.example.toml there, pass --config PATH, or set SYNCD_CONFIG",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(document, source=path)


def parse_config(document: Mapping[str, Any], *, source: Path | None = None) -> Config:
    where = str(source) if source else "the configuration"
    base_dir = source.parent if source else Path.cwd()

    def fail(key: str, allowed: str) -> ConfigError:
        return ConfigError(f"{where}: {key} is invalid; {allowed}")

    known_sections = {"zotero", "state", "sync", "watch", "daemon", "attachments"}
    for section in document:
        if section not in known_sections:
            raise fail(section, f"known sections are {', '.join(sorted(known_sections))}")

    zotero = _table(document, "zotero", where, required=True)
    _refuse_key(zotero, source)
    _only_keys(zotero, "zotero", {"library_type", "library_id", "base_url"}, where)
    library_type = zotero.get("library_type")
    if library_type not in LIBRARY_TYPES:
        raise fail("[zotero] library_type", 'it must be "user" or "group"')
    library_id = zotero.get("library_id")
    if isinstance(library_id, str) and library_id.isdigit():
        library_id = int(library_id)
    if not isinstance(library_id, int) or isinstance(library_id, bool) or library_id <= 0:
        raise fail(
            "[zotero] library_id",
            "it must be the numeric user or group ID (zotero.org/settings/keys shows yours)",
        )
    base_url = zotero.get("base_url", DEFAULT_BASE_URL)
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise fail("[zotero] base_url", "it must be an http(s) URL such as " + DEFAULT_BASE_URL)

    state = _table(document, "state", where)
    _only_keys(state, "state", {"path"}, where)
    state_path = default_state_path()
    if "path" in state:
        if not isinstance(state["path"], str) or not state["path"]:
            raise fail("[state] path", "it must be a file path")
        state_path = _resolve(state["path"], base_dir)

    sync = _table(document, "sync", where)
    _only_keys(
        sync, "sync", {"policy", "recreate_deleted", "match_by_title", "retry_budget"}, where
    )
    retry_budget = sync.get("retry_budget", 300)
    if (
        isinstance(retry_budget, bool)
        or not isinstance(retry_budget, int | float)
        or (retry_budget <= 0)
    ):
        raise fail("[sync] retry_budget", "it must be a positive number of seconds")
    policy = sync.get("policy", "merge")
    if policy not in POLICIES:
        raise fail("[sync] policy", "allowed values are " + ", ".join(f'"{p}"' for p in POLICIES))
    flags: dict[str, bool] = {}
    for name in ("recreate_deleted", "match_by_title"):
        value = sync.get(name, False)
        if not isinstance(value, bool):
            raise fail(f"[sync] {name}", "it must be true or false")
        flags[name] = value

    watches_raw = document.get("watch", [])
    if not isinstance(watches_raw, list):
        raise fail("watch", "use [[watch]] tables, one per folder")
    watches: list[WatchConfig] = []
    for n, entry in enumerate(watches_raw, 1):
        label = f"[[watch]] #{n}"
        if not isinstance(entry, dict):
            raise fail(label, "each [[watch]] must be a table")
        _only_keys(entry, label, {"path", "collection", "tags"}, where)
        path = entry.get("path")
        if not isinstance(path, str) or not path:
            raise fail(f"{label} path", "every watched folder needs a path")
        collection = entry.get("collection")
        if collection is not None and (not isinstance(collection, str) or not collection.strip()):
            raise fail(f"{label} collection", 'it must be a collection name or path like "A/B"')
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise fail(f"{label} tags", "it must be a list of non-empty strings")
        watches.append(WatchConfig(_resolve(path, base_dir), collection, tuple(tags)))

    daemon_table = _table(document, "daemon", where)
    defaults = DaemonConfig()
    _only_keys(daemon_table, "daemon", set(DaemonConfig.__slots__), where)
    timing: dict[str, float] = {}
    for name in DaemonConfig.__slots__:
        value = daemon_table.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise fail(f"[daemon] {name}", "it must be a positive number")
        timing[name] = float(value)

    attachments = _attachments(_table(document, "attachments", where), base_dir, fail, where)

    return Config(
        library_type=library_type,
        library_id=library_id,
        base_url=base_url.rstrip("/"),
        state_path=state_path,
        policy=policy,
        recreate_deleted=flags["recreate_deleted"],
        match_by_title=flags["match_by_title"],
        retry_budget=float(retry_budget),
        watches=tuple(watches),
        daemon=DaemonConfig(**timing),
        source=source,
        attachments=attachments,
    )


def _attachments(
    table: Mapping[str, Any], base_dir: Path, fail: Callable[[str, str], ConfigError], where: str
) -> AttachmentsConfig:
    _only_keys(table, "attachments", {"enabled", "roots", "max_mb"}, where)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("[attachments] enabled", "it must be true or false")
    roots = table.get("roots", [])
    if not isinstance(roots, list) or not all(isinstance(r, str) and r for r in roots):
        raise fail("[attachments] roots", 'it must be a list of folders, like ["~/Papers"]')
    max_mb = table.get("max_mb", 200)
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or max_mb <= 0:
        raise fail("[attachments] max_mb", "it must be a positive number of megabytes")
    return AttachmentsConfig(enabled, tuple(_resolve(r, base_dir) for r in roots), float(max_mb))


_KEY_NAMES = {"api_key", "apikey", "key", "zotero_api_key", "token"}


def _refuse_key(zotero: Mapping[str, Any], source: Path | None) -> None:
    """An API key in the configuration is refused: config files get copied, shared and
    left readable; the key belongs in a credential store."""
    found = sorted(k for k in zotero if k.lower() in _KEY_NAMES)
    if not found:
        return
    where = str(source) if source else "the configuration"
    exposed = ""
    if source is not None:
        try:
            if source.stat().st_mode & 0o077:
                exposed = (
                    f" {where} is readable by other users, so treat the key as exposed: "
                    "revoke it at https://www.zotero.org/settings/keys and make a new one."
                )
        except OSError:
            pass
    raise ConfigError(
        f"{where}: [zotero] {found[0]} holds an API key; syncd does not read keys from "
        f"the configuration.{exposed}",
        hint="remove the line, then store the key with `syncd key set`, or set "
        "ZOTERO_API_KEY, or use the systemd credential zotero-api-key",
    )


def _table(
    document: Mapping[str, Any], name: str, where: str, *, required: bool = False
) -> Mapping[str, Any]:
    value = document.get(name)
    if value is None:
        if required:
            raise ConfigError(
                f"{where}: the [{name}] section is missing",
                hint="see config/syncd.example.toml",
            )
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {name} must be a [{name}] table")
    return value


def _only_keys(table: Mapping[str, Any], name: str, allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key '{key}' in {name}; allowed: {', '.join(sorted(allowed))}"
            )


def _resolve(path: str, base_dir: Path) -> Path:
    expanded = Path(os.path.expandvars(path)).expanduser()
    return expanded if expanded.is_absolute() else (base_dir / expanded)
