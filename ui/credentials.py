"""PostgreSQL passwords live in the system keyring, never in a settings file."""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, NoKeyringError

SERVICE = "mappa-desktop"

NO_KEYRING = (
    "This computer has no system keyring (password store), so mappa-desktop cannot remember "
    "the password: you will be asked for it each time. It is never written to a settings file."
)


def key_for(user: str, host: str, port: int, database: str) -> str:
    return f"{user}@{host}:{port}/{database}"


def load_password(key: str) -> tuple[str | None, str | None]:
    """(password or None, a sentence explaining why it could not be read, or None)."""
    try:
        return keyring.get_password(SERVICE, key), None
    except NoKeyringError:
        return None, NO_KEYRING
    except KeyringError as exc:
        return None, f"The system keyring could not be read ({exc})."


def store_password(key: str, password: str) -> str | None:
    """Store; returns a sentence when it could not be stored."""
    try:
        keyring.set_password(SERVICE, key, password)
    except NoKeyringError:
        return NO_KEYRING
    except KeyringError as exc:
        return f"The password could not be saved in the system keyring ({exc})."
    return None
