"""Logging set-up for the CLI and the daemon, aware of the systemd journal.

When stderr is connected to journald (``$JOURNAL_STREAM`` names the device and inode
of our stderr), each line starts with the syslog priority in angle brackets
(``<3>`` error ... ``<7>`` debug) and carries no timestamp: journald parses the
prefix into the entry's PRIORITY, which keeps ``journalctl -p warning`` useful, and
stamps entries itself. Anywhere else lines are ``2026-11-25 10:00:00 INFO name: msg``.

journald makes one entry per line, so every line of a multi-line record (a traceback)
gets the record's prefix; otherwise the continuation lines would land at the
default priority (info) and vanish from ``journalctl -p err``.

This uses plain :mod:`logging` rather than systemd's native journal protocol so there
is no dependency and the same code path works under any supervisor.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

# Libraries that are chatty at INFO/DEBUG; kept at WARNING unless the user asks for -vv.
NOISY_LOGGERS = ("httpx2", "httpx", "httpcore", "urllib3", "apscheduler", "watchdog")

_HANDLER_MARK = "_syncd_handler"


def level_for(verbosity: int) -> int:
    """Map the CLI's -q/-v count to a level: -1 warning, 0 info, 1+ debug, -2 error."""
    if verbosity <= -2:
        return logging.ERROR
    if verbosity == -1:
        return logging.WARNING
    if verbosity == 0:
        return logging.INFO
    return logging.DEBUG


def syslog_priority(levelno: int) -> int:
    """The syslog priority journald should record for a logging level."""
    if levelno >= logging.CRITICAL:
        return 2
    if levelno >= logging.ERROR:
        return 3
    if levelno >= logging.WARNING:
        return 4
    if levelno >= logging.INFO:
        return 6
    return 7


def stream_is_journal(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is the journald stream systemd connected us to.

    Comparing device and inode (rather than just checking the variable is set) avoids
    journal formatting when stderr was redirected, e.g. ``syncd run 2>log.txt`` from a
    shell that itself runs under systemd.
    """
    env = os.environ if environ is None else environ
    raw = env.get("JOURNAL_STREAM", "")
    dev, sep, ino = raw.partition(":")
    if not sep:
        return False
    try:
        expected = (int(dev), int(ino))
        st = os.fstat(stream.fileno())
    except (ValueError, OSError, AttributeError):
        # AttributeError/OSError: streams without a real fd (StringIO, pytest capture).
        return False
    return (st.st_dev, st.st_ino) == expected


class JournalFormatter(logging.Formatter):
    """``<P>message`` lines, the prefix repeated on every line of the record."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in text.splitlines() or [""])


def plain_formatter() -> logging.Formatter:
    return logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S"
    )


def setup_logging(
    verbosity: int,
    *,
    stream: TextIO | None = None,
    filters: Iterable[logging.Filter] = (),
    environ: Mapping[str, str] | None = None,
) -> logging.Handler:
    """Configure the root logger once for the process and return the handler.

    ``stream`` defaults to ``sys.stderr`` as it is at call time. ``filters`` are put on
    the handler, so they see every record that would be written, including those
    from third-party libraries (the credentials module's key redaction goes here).
    Calling it again replaces the previous syncd handler instead of adding one.
    """
    out = sys.stderr if stream is None else stream
    level = level_for(verbosity)
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        JournalFormatter() if stream_is_journal(out, environ) else plain_formatter()
    )
    # The handler level matters as well as the root's: records from loggers with their
    # own level (the noisy ones) propagate to the root handler without the root's
    # level being checked again.
    handler.setLevel(level)
    for flt in filters:
        handler.addFilter(flt)
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_MARK, False):
            root.removeHandler(old)
            old.close()
    root.addHandler(handler)
    root.setLevel(level)

    third_party = logging.NOTSET if verbosity >= 2 else max(level, logging.WARNING)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(third_party)
    return handler
