"""Telling systemd how the daemon is doing (sd_notify), written here on purpose.

The protocol is a single ``KEY=value`` datagram sent to the ``AF_UNIX`` socket named
in ``$NOTIFY_SOCKET``, so a dependency (python-systemd, sdnotify) would buy nothing
and python-systemd needs libsystemd headers to install. Outside systemd (no
``$NOTIFY_SOCKET``) every call is a no-op, so the daemon code can call these methods
unconditionally.

A failed send is logged once and otherwise ignored: losing a status line must never
take the daemon down, nor stall it, so sends never block; when the receiver's queue is
full (``net.unix.max_dgram_qlen``, 10 by default, if nobody reads) messages are
dropped. A lost ``WATCHDOG=1`` will get the service restarted by systemd, which is
the right outcome when we cannot even reach the manager.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _socket_address(raw: str) -> str | None:
    """The address to ``sendto`` for a ``$NOTIFY_SOCKET`` value, or None if unusable."""
    if raw.startswith("/"):
        return raw
    if raw.startswith("@") and len(raw) > 1:
        # Abstract namespace: the leading '@' stands for a NUL byte.
        return "\0" + raw[1:]
    return None


class Notifier:
    """Sends readiness, status and watchdog notifications to the service manager.

    ``environ`` defaults to ``os.environ``; it is read once, at construction.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        raw = env.get("NOTIFY_SOCKET", "")
        self._address = _socket_address(raw) if raw else None
        if raw and self._address is None:
            log.warning(
                "NOTIFY_SOCKET=%r is not a socket path this daemon understands; "
                "systemd notifications are disabled",
                raw,
            )
        self._watchdog = _watchdog_interval(env)
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._failure_logged = False

    @property
    def enabled(self) -> bool:
        """True when running under a service manager that listens for notifications."""
        return self._address is not None

    def notify(self, message: str) -> bool:
        """Send raw ``KEY=value`` lines; True if the datagram left, False otherwise."""
        if self._address is None:
            return False
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(
                        socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                    )
                # Never block: a service manager that stopped reading must not
                # stall the daemon's main loop; a lost ping is the lesser harm.
                self._sock.sendto(message.encode("utf-8"), socket.MSG_DONTWAIT, self._address)
            except OSError as err:
                if not self._failure_logged:
                    self._failure_logged = True
                    log.warning(
                        "could not notify systemd (%s); carrying on without notifications "
                        "for now, further failures are not logged",
                        err,
                    )
                return False
        return True

    def ready(self) -> bool:
        """Start-up is finished: systemd marks a Type=notify unit active."""
        return self.notify("READY=1")

    def status(self, text: str) -> bool:
        """One line shown by ``systemctl status``."""
        # A newline would start a new assignment that systemd would interpret.
        one_line = " ".join(text.splitlines())
        return self.notify(f"STATUS={one_line}")

    def stopping(self) -> bool:
        """Shutdown has begun."""
        return self.notify("STOPPING=1")

    def reloading(self) -> bool:
        """A reload (SIGHUP) has begun; send ``ready()`` again when it is done.

        ``MONOTONIC_USEC`` lets newer systemd (253+, Type=notify-reload) match the
        reload to its request; older versions ignore it.
        """
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify(f"RELOADING=1\nMONOTONIC_USEC={usec}")

    def watchdog(self) -> bool:
        """Keep-alive ping for ``WatchdogSec=``."""
        return self.notify("WATCHDOG=1")

    def watchdog_interval(self) -> float | None:
        """Seconds between watchdog pings (half of ``WatchdogSec``), or None if not asked."""
        if self._address is None:
            return None
        return self._watchdog

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def _watchdog_interval(env: Mapping[str, str]) -> float | None:
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get("WATCHDOG_PID")
    # systemd sets WATCHDOG_PID so that a child which inherited the environment does
    # not ping on behalf of its parent.
    if pid is not None:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    return usec / 2 / 1_000_000
