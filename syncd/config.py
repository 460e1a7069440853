"""The TOML configuration: where it is, what it may say, and checking it.

Lookup order for the file: ``--config PATH``, else ``$SYNCD_CONFIG``, else
``config.toml`` in the platform's config directory (platformdirs). A bad config is
one :class:`ConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import platformdirs

from syncd.core.merge import SyncPolicy
from syncd.errors import ConfigError

APP = "syncd"
DEFAULT_BASE_URL = "https://api.zotero.org"
POLICIES = tuple(p.value for p in SyncPolicy)
LIBRARY_TYPES = ("user", "group")
DEFAULT_LIBRARY = "default"  # the name of the library the [zotero] section describes
DEFAULT_LOCAL_URL = "http://127.0.0.1:23119/api"
_SECTIONS = frozenset({"zotero", "state", "sync", "watch", "daemon", "attachments", "library"})
_LIBRARY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ApiKind(StrEnum):
    WEB = "web"  # api.zotero.org, or a server at base_url
    LOCAL = "local"  # Zotero desktop's local API (Zotero 10)


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    """One library syncd writes to: the [zotero] section, or a [[library]] table."""

    name: str
    api: ApiKind
    library_type: str
    library_id: int
    base_url: str

    @property
    def prefix(self) -> str:
        """The API path prefix, e.g. ``users/123``."""
        return f"{self.library_type}s/{self.library_id}"

    @property
    def partition(self) -> str:
        """The key of this library's rows in the state database (mirror, links, inbox).

        The default library keeps the bare prefix that state databases have always
        used. A named Web API library adds its server when it is not zotero.org, so
        two servers' ``users/1`` never share rows. A desktop library's partition is
        only known once Zotero has told its server ID (see ``local_partition``); this
        one keys what must not wait for Zotero, the inbox.
        """
        if self.api is ApiKind.LOCAL:
            return f"local:{self.name}/{self.prefix}"
        if self.name == DEFAULT_LIBRARY or self.base_url == DEFAULT_BASE_URL:
            return self.prefix
        return f"{self.prefix}@{self.base_url}"

    def local_partition(self, server_id: str) -> str:
        """A desktop library's mirror partition: local versions mean nothing under
        another server ID, so they are never kept together."""
        return f"local:{server_id}/{self.prefix}"


@dataclass(frozen=True, slots=True)
class WatchConfig:
    path: Path
    collection: str | None = None
    tags: tuple[str, ...] = ()
    library: str = DEFAULT_LIBRARY


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    """How the daemon paces itself (seconds)."""

    settle: float = 2.0  # a file's size and time must stay put this long
    rescan: float = 60.0  # full rescans of the folders, for missed events
    refresh: float = 900.0  # mirror refresh, to see edits made in Zotero
    retry: float = 30.0  # first wait after a transient failure (doubles each time)
    max_file_mb: float = 512.0  # larger files are turned away: not an export
    # A file whose last record is open (no ER, or cut mid-line) waits until it has
    # stayed unchanged this long, then is taken with a warning (syncd/watch.py).
    incomplete: float = 60.0
    # A document (PDF...) dropped into a watched folder waits this long for an
    # export that names it, then is reported (syncd/documents.py).
    document_wait: float = 3600.0


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
    policy: SyncPolicy = SyncPolicy.MERGE
    recreate_deleted: bool = False
    match_by_title: bool = False
    retry_budget: float = 300.0
    watches: tuple[WatchConfig, ...] = ()
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    source: Path | None = None
    attachments: AttachmentsConfig = field(default_factory=AttachmentsConfig)
    # Every library, the default one first; empty means only the [zotero] one.
    libraries: tuple[LibraryConfig, ...] = ()

    @property
    def library(self) -> str:
        """The API path prefix of the default library, e.g. ``users/123``."""
        return f"{self.library_type}s/{self.library_id}"

    def all_libraries(self) -> tuple[LibraryConfig, ...]:
        if self.libraries:
            return self.libraries
        return (
            LibraryConfig(
                DEFAULT_LIBRARY, ApiKind.WEB, self.library_type, self.library_id, self.base_url
            ),
        )

    def library_named(self, name: str | None) -> LibraryConfig:
        """The library called ``name`` (None: the default one); ConfigError otherwise."""
        found = self.all_libraries()
        if name is None:
            return found[0]
        for lib in found:
            if lib.name == name:
                return lib
        raise ConfigError(
            f"no library named {name!r} in the configuration",
            hint="known libraries: " + ", ".join(lib.name for lib in found),
        )


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
    """The configuration that ``document`` (the parsed TOML) describes, or a
    ConfigError naming the first key that is wrong (the sections are checked in a
    fixed order: libraries, state, sync, watch, daemon, attachments). Relative
    paths start from the file's folder."""
    where = str(source) if source else "the configuration"
    base_dir = source.parent if source else Path.cwd()
    _check_sections(document, where)
    named = _libraries(document, where, source)
    libraries = _with_zotero_library(document, named, where, source)
    default = libraries[0]
    state_path = _state_path(_table(document, "state", where), base_dir, where)
    sync = _sync(_table(document, "sync", where), where)
    watches = _watches(document, libraries, base_dir, where)
    daemon = _daemon(_table(document, "daemon", where), where)
    attachments = _attachments(_table(document, "attachments", where), base_dir, where)
    return Config(
        library_type=default.library_type,
        library_id=default.library_id,
        base_url=default.base_url,
        state_path=state_path,
        policy=sync.policy,
        recreate_deleted=sync.recreate_deleted,
        match_by_title=sync.match_by_title,
        retry_budget=sync.retry_budget,
        watches=watches,
        daemon=daemon,
        source=source,
        attachments=attachments,
        libraries=tuple(libraries) if named else (),
    )


def _invalid(where: str, key: str, allowed: str) -> ConfigError:
    return ConfigError(f"{where}: {key} is invalid; {allowed}")


def _check_sections(document: Mapping[str, Any], where: str) -> None:
    for section in document:
        if section not in _SECTIONS:
            raise _invalid(where, section, f"known sections are {', '.join(sorted(_SECTIONS))}")


def _with_zotero_library(
    document: Mapping[str, Any], named: list[LibraryConfig], where: str, source: Path | None
) -> list[LibraryConfig]:
    """Every library, the [zotero] one (required without [[library]] tables) first;
    ConfigError when two of them are one library."""
    libraries: list[LibraryConfig] = []
    if "zotero" in document or not named:
        zotero = _table(document, "zotero", where, required=True)
        _refuse_key(zotero, source)
        _only_keys(zotero, "zotero", {"library_type", "library_id", "base_url"}, where)
        libraries.append(_library_fields(zotero, "[zotero]", DEFAULT_LIBRARY, ApiKind.WEB, where))
    libraries.extend(named)
    seen: dict[tuple[str, str, str], str] = {}
    for lib in libraries:
        key = (lib.api, lib.base_url, lib.prefix)
        if key in seen:
            raise ConfigError(
                f"{where}: the libraries {seen[key]!r} and {lib.name!r} are the same "
                f"library ({lib.prefix} at {lib.base_url})",
                hint="keep one, and point the [[watch]] folders at it with library = NAME",
            )
        seen[key] = lib.name
    return libraries


def _state_path(table: Mapping[str, Any], base_dir: Path, where: str) -> Path:
    _only_keys(table, "state", {"path"}, where)
    if "path" not in table:
        return default_state_path()
    if not isinstance(table["path"], str) or not table["path"]:
        raise _invalid(where, "[state] path", "it must be a file path")
    return _resolve(table["path"], base_dir)


class _SyncSection(NamedTuple):
    policy: SyncPolicy
    recreate_deleted: bool
    match_by_title: bool
    retry_budget: float


def _sync(table: Mapping[str, Any], where: str) -> _SyncSection:
    _only_keys(
        table, "sync", {"policy", "recreate_deleted", "match_by_title", "retry_budget"}, where
    )
    retry_budget = table.get("retry_budget", 300)
    if (
        isinstance(retry_budget, bool)
        or not isinstance(retry_budget, int | float)
        or (retry_budget <= 0)
    ):
        raise _invalid(where, "[sync] retry_budget", "it must be a positive number of seconds")
    policy = table.get("policy", SyncPolicy.MERGE.value)
    if policy not in POLICIES:
        raise _invalid(
            where, "[sync] policy", "allowed values are " + ", ".join(f'"{p}"' for p in POLICIES)
        )
    flags: dict[str, bool] = {}
    for name in ("recreate_deleted", "match_by_title"):
        value = table.get(name, False)
        if not isinstance(value, bool):
            raise _invalid(where, f"[sync] {name}", "it must be true or false")
        flags[name] = value
    return _SyncSection(
        SyncPolicy(policy), flags["recreate_deleted"], flags["match_by_title"], float(retry_budget)
    )


def _watches(
    document: Mapping[str, Any], libraries: list[LibraryConfig], base_dir: Path, where: str
) -> tuple[WatchConfig, ...]:
    raw = document.get("watch", [])
    if not isinstance(raw, list):
        raise _invalid(where, "watch", "use [[watch]] tables, one per folder")
    names = [lib.name for lib in libraries]
    return tuple(_watch(entry, n, names, base_dir, where) for n, entry in enumerate(raw, 1))


def _watch(entry: Any, n: int, libraries: list[str], base_dir: Path, where: str) -> WatchConfig:
    """The ``n``-th [[watch]] table; ``libraries`` are the known names, the default first."""
    label = f"[[watch]] #{n}"
    if not isinstance(entry, dict):
        raise _invalid(where, label, "each [[watch]] must be a table")
    _only_keys(entry, label, {"path", "collection", "tags", "library"}, where)
    path = entry.get("path")
    if not isinstance(path, str) or not path:
        raise _invalid(where, f"{label} path", "every watched folder needs a path")
    collection = entry.get("collection")
    if collection is not None and (not isinstance(collection, str) or not collection.strip()):
        raise _invalid(
            where, f"{label} collection", 'it must be a collection name or path like "A/B"'
        )
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise _invalid(where, f"{label} tags", "it must be a list of non-empty strings")
    library = entry.get("library", libraries[0])
    if library not in libraries:
        raise _invalid(
            where,
            f"{label} library",
            "known libraries are " + ", ".join(f'"{n}"' for n in libraries),
        )
    return WatchConfig(_resolve(path, base_dir), collection, tuple(tags), library)


def _daemon(table: Mapping[str, Any], where: str) -> DaemonConfig:
    defaults = DaemonConfig()
    _only_keys(table, "daemon", set(DaemonConfig.__slots__), where)
    timing: dict[str, float] = {}
    for name in DaemonConfig.__slots__:
        value = table.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise _invalid(where, f"[daemon] {name}", "it must be a positive number")
        timing[name] = float(value)
    return DaemonConfig(**timing)


def _attachments(table: Mapping[str, Any], base_dir: Path, where: str) -> AttachmentsConfig:
    _only_keys(table, "attachments", {"enabled", "roots", "max_mb"}, where)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _invalid(where, "[attachments] enabled", "it must be true or false")
    roots = table.get("roots", [])
    if not isinstance(roots, list) or not all(isinstance(r, str) and r for r in roots):
        raise _invalid(
            where, "[attachments] roots", 'it must be a list of folders, like ["~/Papers"]'
        )
    max_mb = table.get("max_mb", 200)
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or max_mb <= 0:
        raise _invalid(where, "[attachments] max_mb", "it must be a positive number of megabytes")
    return AttachmentsConfig(enabled, tuple(_resolve(r, base_dir) for r in roots), float(max_mb))


def _libraries(document: Mapping[str, Any], where: str, source: Path | None) -> list[LibraryConfig]:
    raw = document.get("library", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: library is invalid; use [[library]] tables, one per library")
    found: list[LibraryConfig] = []
    for n, entry in enumerate(raw, 1):
        label = f"[[library]] #{n}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: {label} must be a table")
        _refuse_key(entry, source, label)
        _only_keys(entry, label, {"name", "api", "type", "id", "base_url"}, where)
        name = entry.get("name")
        if not isinstance(name, str) or not _LIBRARY_NAME.match(name):
            raise ConfigError(
                f"{where}: {label} name is invalid; it must be letters, digits, '_', '.' "
                "or '-' (up to 64), starting with a letter or digit"
            )
        if name == DEFAULT_LIBRARY and "zotero" in document:
            raise ConfigError(
                f'{where}: {label} is named "default", the name of the [zotero] library',
                hint="give it another name",
            )
        if name in {lib.name for lib in found}:
            raise ConfigError(f"{where}: two [[library]] tables are named {name!r}")
        api_raw = entry.get("api", "web")
        if api_raw not in {a.value for a in ApiKind}:
            raise ConfigError(f'{where}: {label} api is invalid; it must be "web" or "local"')
        fields = {
            "library_type": entry.get("type", "user"),
            "library_id": entry.get("id"),
            "base_url": entry.get("base_url"),
        }
        found.append(
            _library_fields(
                {k: v for k, v in fields.items() if v is not None},
                f"{label} ({name})",
                name,
                ApiKind(api_raw),
                where,
            )
        )
    return found


def _library_fields(
    table: Mapping[str, Any], label: str, name: str, api: ApiKind, where: str
) -> LibraryConfig:
    def fail(key: str, allowed: str) -> ConfigError:
        return ConfigError(f"{where}: {label} {key} is invalid; {allowed}")

    type_key, id_key = ("library_type", "library_id") if label == "[zotero]" else ("type", "id")
    library_type = table.get("library_type")
    if library_type not in LIBRARY_TYPES:
        raise fail(type_key, 'it must be "user" or "group"')
    library_id = table.get("library_id", 0 if api is ApiKind.LOCAL else None)
    if isinstance(library_id, str) and library_id.isdigit():
        library_id = int(library_id)
    # The desktop's own library is user 0; on the Web API every ID is positive.
    lowest = 0 if api is ApiKind.LOCAL and library_type == "user" else 1
    if not isinstance(library_id, int) or isinstance(library_id, bool) or library_id < lowest:
        raise fail(
            id_key,
            "it must be the numeric user or group ID (zotero.org/settings/keys shows yours; "
            "the desktop's own library is 0)",
        )
    default_url = DEFAULT_LOCAL_URL if api is ApiKind.LOCAL else DEFAULT_BASE_URL
    base_url = table.get("base_url", default_url)
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise fail("base_url", "it must be an http(s) URL such as " + default_url)
    return LibraryConfig(name, api, str(library_type), library_id, base_url.rstrip("/"))


_KEY_NAMES = {"api_key", "apikey", "key", "zotero_api_key", "token"}


def _refuse_key(zotero: Mapping[str, Any], source: Path | None, label: str = "[zotero]") -> None:
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
        f"{where}: {label} {found[0]} holds an API key; syncd does not read keys from "
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
