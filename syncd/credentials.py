"""Where syncd finds the Zotero API key, and how it keeps the key out of logs.

Lookup order, first hit wins:

1. the systemd credential ``zotero-api-key`` (``$CREDENTIALS_DIRECTORY/zotero-api-key``,
   set up with ``LoadCredential=``/``LoadCredentialEncrypted=`` in the unit), which
   is the recommended way for the daemon;
2. the ``ZOTERO_API_KEY`` environment variable;
3. the system keyring (service ``syncd``, user name ``zotero-api-key``), which is what
   ``syncd key set`` writes.

The keyring comes last because on a headless server it is often missing or locked,
and asking it can block or fail; the first two never do.

The key is only ever returned to the caller. ``KeyRedactionFilter`` replaces it in
every log record that reaches a handler, including those of third-party libraries.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import keyring
import keyring.errors

from syncd.errors import CredentialError

CREDENTIAL_NAME = "zotero-api-key"
ENV_VAR = "ZOTERO_API_KEY"
KEYRING_SERVICE = "syncd"
KEYRING_USERNAME = "zotero-api-key"
REDACTED = "[redacted]"

_HOW_TO_SET = (
    "run `syncd key set`, or export ZOTERO_API_KEY, or for the systemd unit add "
    "`LoadCredential=zotero-api-key:/path/to/keyfile` (or LoadCredentialEncrypted=)"
)
_NO_KEYRING = (
    "no usable keyring on this machine (common on headless servers): set ZOTERO_API_KEY "
    "or use the systemd credential `zotero-api-key` instead"
)


def _from_credentials_dir(environ: Mapping[str, str]) -> str | None:
    directory = environ.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return None
    path = Path(directory) / CREDENTIAL_NAME
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise CredentialError(
            f"cannot read the systemd credential {path}: {type(err).__name__}",
            hint="check LoadCredential= in the unit and the key file's permissions",
        ) from None
    return value or None


def _from_keyring() -> tuple[str | None, str | None]:
    """The key from the keyring, or why the keyring could not be asked."""
    try:
        value = keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except keyring.errors.KeyringError as err:
        # No backend, a locked store or no D-Bus session: not fatal, since the key
        # may be meant to come from elsewhere; the caller reports all three places.
        return None, type(err).__name__
    return (value.strip() if value and value.strip() else None), None


def find_api_key(environ: Mapping[str, str] | None = None) -> str:
    """The Zotero API key from the first place that has one (see module docstring)."""
    env = os.environ if environ is None else environ
    for found in (_from_credentials_dir(env), (env.get(ENV_VAR) or "").strip() or None):
        if found:
            return found
    found, keyring_problem = _from_keyring()
    if found:
        return found
    unusable = f", which was not usable: {keyring_problem}" if keyring_problem else ""
    raise CredentialError(
        "no Zotero API key found: looked in the systemd credential "
        f"'{CREDENTIAL_NAME}' ($CREDENTIALS_DIRECTORY), the {ENV_VAR} environment "
        f"variable and the keyring (service '{KEYRING_SERVICE}'{unusable})",
        hint=_HOW_TO_SET,
    )


def store_api_key(key: str) -> None:
    """Save the key in the keyring, for ``syncd key set``."""
    key = key.strip()
    if not key:
        raise CredentialError("the API key is empty", hint="paste the key from zotero.org")
    if any(c.isspace() for c in key):
        raise CredentialError(
            "the API key contains spaces or line breaks",
            hint="paste only the key shown at https://www.zotero.org/settings/keys",
        )
    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USERNAME, key)
    except keyring.errors.KeyringError as err:
        raise CredentialError(
            f"could not save the API key in the keyring ({type(err).__name__})", hint=_NO_KEYRING
        ) from None


def delete_api_key() -> bool:
    """Remove the key from the keyring, for ``syncd key delete``.

    Returns False when the keyring held no key. Keys given through the environment
    or a systemd credential are not ours to delete.
    """
    try:
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as err:
        raise CredentialError(
            f"could not reach the keyring to delete the API key ({type(err).__name__})",
            hint=_NO_KEYRING,
        ) from None
    return True


def redact(text: str, key: str) -> str:
    """``text`` with every occurrence of ``key`` replaced."""
    return text.replace(key, REDACTED) if key else text


class KeyRedactionFilter(logging.Filter):
    """Replaces the API key in every record it sees; put it on the log handlers.

    The message is rendered here (arguments merged in) so that the key cannot slip
    through a ``%s`` argument, and exception text is rendered and redacted too.
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key = key

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._key:
            return True
        message = record.getMessage()
        if self._key in message:
            record.msg = redact(message, self._key)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._key)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._key)
        return True
