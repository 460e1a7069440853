"""Where syncd finds the Zotero API key, and how it keeps the key out of logs.

Lookup order, first hit wins:

1. the systemd credential ``zotero-api-key`` (``$CREDENTIALS_DIRECTORY/zotero-api-key``,
   set up with ``LoadCredential=``/``LoadCredentialEncrypted=`` in the unit), which
   is the recommended way for the daemon;
2. the ``ZOTERO_API_KEY`` environment variable;
3. the system keyring (service ``syncd``, user name ``zotero-api-key``), which is what
   ``syncd key set`` writes.

A named library (``[[library]] name = "desktop"``) has its own key in the same three
places: the credential ``zotero-api-key-desktop``, the variable
``ZOTERO_API_KEY_DESKTOP`` (the name upper-cased, anything but letters and digits as
``_``) and the keyring user name ``zotero-api-key-desktop``. The library "default"
(the ``[zotero]`` section) uses the names above.

The keyring comes last because on a headless server it is often missing or locked,
and asking it can block or fail; the first two never do.

The key is only ever returned to the caller. ``KeyRedactionFilter`` replaces it in
every log record that reaches a handler, including those of third-party libraries.
"""

from __future__ import annotations

import logging
import os
import re
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


DEFAULT_LIBRARY = "default"


def key_names(library: str | None = None) -> tuple[str, str, str]:
    """The systemd credential, environment variable and keyring user name of a library's key."""
    if library is None or library == DEFAULT_LIBRARY:
        return CREDENTIAL_NAME, ENV_VAR, KEYRING_USERNAME
    env = re.sub(r"[^A-Za-z0-9]", "_", library).upper()
    return f"{CREDENTIAL_NAME}-{library}", f"{ENV_VAR}_{env}", f"{KEYRING_USERNAME}-{library}"


def _from_credentials_dir(environ: Mapping[str, str], name: str = CREDENTIAL_NAME) -> str | None:
    directory = environ.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return None
    path = Path(directory) / name
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


def _from_keyring(username: str = KEYRING_USERNAME) -> tuple[str | None, str | None]:
    """The key from the keyring, or why the keyring could not be asked."""
    try:
        value = keyring.get_password(KEYRING_SERVICE, username)
    except keyring.errors.KeyringError as err:
        # No backend, a locked store or no D-Bus session: not fatal, since the key
        # may be meant to come from elsewhere; the caller reports all three places.
        return None, type(err).__name__
    return (value.strip() if value and value.strip() else None), None


def find_api_key(environ: Mapping[str, str] | None = None, *, library: str | None = None) -> str:
    """The API key of ``library`` (None: the default one) from the first place that
    has one (see module docstring)."""
    env = os.environ if environ is None else environ
    credential, variable, username = key_names(library)
    for found in (
        _from_credentials_dir(env, credential),
        (env.get(variable) or "").strip() or None,
    ):
        if found:
            return found
    found, keyring_problem = _from_keyring(username)
    if found:
        return found
    unusable = f", which was not usable: {keyring_problem}" if keyring_problem else ""
    named = library is not None and library != DEFAULT_LIBRARY
    raise CredentialError(
        f"no API key found{f' for the library {library!r}' if named else ''}: looked in the "
        f"systemd credential '{credential}' ($CREDENTIALS_DIRECTORY), the {variable} "
        f"environment variable and the keyring (service '{KEYRING_SERVICE}', user "
        f"'{username}'{unusable})",
        hint=_HOW_TO_SET
        if not named
        else f"run `syncd key set --library {library}` (or, for a Zotero desktop library, "
        f"`syncd key authorize --library {library}`), or export {variable}",
    )


def store_api_key(key: str, *, library: str | None = None) -> None:
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
        keyring.set_password(KEYRING_SERVICE, key_names(library)[2], key)
    except keyring.errors.KeyringError as err:
        raise CredentialError(
            f"could not save the API key in the keyring ({type(err).__name__})", hint=_NO_KEYRING
        ) from None


def delete_api_key(*, library: str | None = None) -> bool:
    """Remove the key from the keyring, for ``syncd key delete``.

    Returns False when the keyring held no key. Keys given through the environment
    or a systemd credential are not ours to delete.
    """
    try:
        keyring.delete_password(KEYRING_SERVICE, key_names(library)[2])
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

    @property
    def key(self) -> str:
        return self._key

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
