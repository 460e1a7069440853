from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from syncd.logs import (
    NOISY_LOGGERS,
    level_for,
    setup_logging,
    stream_is_journal,
    syslog_priority,
)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        for name, lvl in noisy.items():
            logging.getLogger(name).setLevel(lvl)


@pytest.fixture
def out_file(tmp_path: Path) -> Iterator[TextIO]:
    with open(tmp_path / "stderr.txt", "w+", encoding="utf-8") as f:
        yield f


def _journal_env(stream: TextIO) -> dict[str, str]:
    st = os.fstat(stream.fileno())
    return {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def _lines(stream: TextIO) -> list[str]:
    stream.flush()
    stream.seek(0)
    return stream.read().splitlines()


@pytest.mark.parametrize(
    ("verbosity", "level"),
    [
        (-3, logging.ERROR),
        (-2, logging.ERROR),
        (-1, logging.WARNING),
        (0, logging.INFO),
        (1, logging.DEBUG),
        (2, logging.DEBUG),
    ],
)
def test_level_for(verbosity: int, level: int) -> None:
    assert level_for(verbosity) == level


@pytest.mark.parametrize(
    ("levelno", "priority"),
    [
        (logging.CRITICAL, 2),
        (logging.ERROR, 3),
        (logging.WARNING, 4),
        (logging.INFO, 6),
        (logging.DEBUG, 7),
        (25, 6),
        (35, 4),
        (5, 7),
    ],
)
def test_syslog_priority(levelno: int, priority: int) -> None:
    assert syslog_priority(levelno) == priority


def test_stream_is_journal_matches_dev_and_inode(out_file: TextIO, tmp_path: Path) -> None:
    assert stream_is_journal(out_file, _journal_env(out_file))
    other = tmp_path / "other"
    other.write_text("")
    st = other.stat()
    assert not stream_is_journal(out_file, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})


@pytest.mark.parametrize("value", ["", "garbage", "1:", ":2", "a:b"])
def test_stream_is_journal_malformed(out_file: TextIO, value: str) -> None:
    assert not stream_is_journal(out_file, {"JOURNAL_STREAM": value})


def test_stream_without_fd_is_not_journal() -> None:
    assert not stream_is_journal(io.StringIO(), {"JOURNAL_STREAM": "1:2"})


def test_journal_mode_prefixes_priority_and_has_no_timestamp(out_file: TextIO) -> None:
    setup_logging(1, stream=out_file, environ=_journal_env(out_file))
    log = logging.getLogger("syncd.sync")
    log.critical("on fire")
    log.error("boom")
    log.warning("careful")
    log.info("synced %d items", 3)
    log.debug("details")
    assert _lines(out_file) == [
        "<2>on fire",
        "<3>boom",
        "<4>careful",
        "<6>synced 3 items",
        "<7>details",
    ]


def test_journal_mode_prefixes_every_traceback_line(out_file: TextIO) -> None:
    setup_logging(0, stream=out_file, environ=_journal_env(out_file))
    try:
        raise ValueError("bad value")
    except ValueError:
        logging.getLogger("syncd.sync").exception("sync failed")
    lines = _lines(out_file)
    assert lines[0] == "<3>sync failed"
    assert lines[-1] == "<3>ValueError: bad value"
    assert any(line.startswith("<3>Traceback") for line in lines)
    assert all(line.startswith("<3>") for line in lines)


_PLAIN = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?P<level>[A-Z]+) (?P<name>[\w.]+): (?P<msg>.*)$"
)


def test_plain_mode_format(out_file: TextIO) -> None:
    setup_logging(0, stream=out_file, environ={})
    logging.getLogger("syncd.sync").info("message")
    logging.getLogger("syncd.sync").warning("warned")
    lines = _lines(out_file)
    assert len(lines) == 2
    first, second = (_PLAIN.match(line) for line in lines)
    assert first is not None and second is not None
    assert (first["level"], first["name"], first["msg"]) == ("INFO", "syncd.sync", "message")
    assert (second["level"], second["msg"]) == ("WARNING", "warned")


def test_plain_mode_when_journal_stream_points_elsewhere(out_file: TextIO) -> None:
    setup_logging(0, stream=out_file, environ={"JOURNAL_STREAM": "1:1"})
    logging.getLogger("syncd").info("hello")
    (line,) = _lines(out_file)
    assert _PLAIN.match(line)


@pytest.mark.parametrize(
    ("verbosity", "expected"),
    [
        (-2, ["<3>e"]),
        (-1, ["<4>w", "<3>e"]),
        (0, ["<6>i", "<4>w", "<3>e"]),
        (1, ["<7>d", "<6>i", "<4>w", "<3>e"]),
    ],
)
def test_verbosity_levels(out_file: TextIO, verbosity: int, expected: list[str]) -> None:
    setup_logging(verbosity, stream=out_file, environ=_journal_env(out_file))
    log = logging.getLogger("syncd.watch")
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")
    assert _lines(out_file) == expected


@pytest.mark.parametrize(
    ("verbosity", "expected"),
    [
        (0, ["<4>httpx2 warning", "<4>watchdog warning"]),
        (1, ["<4>httpx2 warning", "<4>watchdog warning"]),
        (
            2,
            [
                "<7>httpx2 debug",
                "<6>httpx2 info",
                "<4>httpx2 warning",
                "<7>watchdog debug",
                "<6>watchdog info",
                "<4>watchdog warning",
            ],
        ),
    ],
)
def test_third_party_loggers_quiet_unless_vv(
    out_file: TextIO, verbosity: int, expected: list[str]
) -> None:
    setup_logging(verbosity, stream=out_file, environ=_journal_env(out_file))
    for name in ("httpx2", "watchdog"):
        log = logging.getLogger(f"{name}.sub")
        log.debug(f"{name} debug")
        log.info(f"{name} info")
        log.warning(f"{name} warning")
    assert _lines(out_file) == expected


def test_third_party_respects_quiet(out_file: TextIO) -> None:
    setup_logging(-2, stream=out_file, environ=_journal_env(out_file))
    logging.getLogger("urllib3").warning("not shown")
    logging.getLogger("apscheduler").error("shown")
    assert _lines(out_file) == ["<3>shown"]


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = str(record.msg).replace("SECRETKEY", "[redacted]")
        return True


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "noise" not in record.getMessage()


def test_filters_are_installed_on_the_handler(out_file: TextIO) -> None:
    setup_logging(
        0, stream=out_file, environ=_journal_env(out_file), filters=[_Redact(), _DropNoise()]
    )
    logging.getLogger("syncd.zotero").info("key SECRETKEY used")
    logging.getLogger("httpx2").warning("header SECRETKEY")
    logging.getLogger("syncd").info("noise")
    assert _lines(out_file) == ["<6>key [redacted] used", "<4>header [redacted]"]


def test_second_call_replaces_the_handler(out_file: TextIO) -> None:
    first = setup_logging(0, stream=out_file, environ={})
    second = setup_logging(0, stream=out_file, environ=_journal_env(out_file))
    root = logging.getLogger()
    assert first not in root.handlers
    assert second in root.handlers
    logging.getLogger("syncd").info("once")
    assert _lines(out_file) == ["<6>once"]


def test_default_stream_is_stderr_at_call_time(
    out_file: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stderr", out_file)
    setup_logging(0, environ=_journal_env(out_file))
    logging.getLogger("syncd").warning("to stderr")
    assert _lines(out_file) == ["<4>to stderr"]
