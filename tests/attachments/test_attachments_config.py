"""The [attachments] section: old configurations keep working, bad values are one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.app import attachment_policy
from syncd.config import AttachmentsConfig, parse_config
from syncd.errors import ConfigError

BASE = {"zotero": {"library_type": "user", "library_id": 1}}


def test_a_config_without_the_section_attaches_with_defaults() -> None:
    config = parse_config(BASE)
    assert config.attachments == AttachmentsConfig(enabled=True, roots=(), max_mb=200.0)


def test_roots_are_resolved_like_other_paths(tmp_path: Path) -> None:
    source = tmp_path / "config.toml"
    config = parse_config(
        {**BASE, "attachments": {"roots": ["Papers", "/srv/pdfs"], "max_mb": 50}}, source=source
    )
    assert config.attachments.roots == (tmp_path / "Papers", Path("/srv/pdfs"))
    assert config.attachments.max_mb == 50.0


@pytest.mark.parametrize(
    ("section", "names"),
    [
        ({"roots": "~/Papers"}, "[attachments] roots"),
        ({"max_mb": 0}, "[attachments] max_mb"),
        ({"enabled": "yes"}, "[attachments] enabled"),
        ({"folders": []}, "unknown key 'folders'"),
    ],
)
def test_bad_values_name_the_key(section: dict[str, object], names: str) -> None:
    with pytest.raises(ConfigError, match=names.replace("[", r"\[").replace("]", r"\]")):
        parse_config({**BASE, "attachments": section})


def test_the_watched_folders_are_roots_and_disabled_means_none(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    config = parse_config(
        {**BASE, "watch": [{"path": str(tmp_path / "inbox")}]}, source=tmp_path / "c.toml"
    )
    policy = attachment_policy(config)
    assert policy is not None and str(tmp_path / "inbox") in policy.roots
    off = parse_config({**BASE, "attachments": {"enabled": False}})
    assert attachment_policy(off) is None
