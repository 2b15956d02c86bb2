"""Where a sign-in is kept between runs: never kops.yaml, never the workspace.

On Windows and macOS, an encrypted file by msal-extensions (DPAPI for the
signed-in Windows user, the macOS Keychain) under the user's own folders; on
Linux and elsewhere, the OS keyring (Secret Service) through ``keyring``.
An MSAL token cache can exceed the Windows credential manager's size limit,
which is why Windows uses the encrypted file.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Protocol

from ..i18n import _
from .keyring_store import keyring_delete, keyring_get, keyring_set


class TokenStore(Protocol):
    where: str  # said to the user: where the sign-in is kept

    def load(self) -> str | None: ...

    def save(self, text: str) -> None: ...

    def delete(self) -> bool: ...


class KeyringStore:
    def __init__(self, name: str) -> None:
        self.name = name
        self.where = _("the OS keyring (service kops, {name})").format(name=name)

    def load(self) -> str | None:
        return keyring_get(self.name)

    def save(self, text: str) -> None:
        keyring_set(self.name, text)

    def delete(self) -> bool:
        return keyring_delete(self.name)


class EncryptedFileStore:
    """msal-extensions' encrypted persistence (Windows DPAPI file, macOS Keychain)."""

    def __init__(self, name: str) -> None:
        from msal_extensions import build_encrypted_persistence

        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        self.path = _user_folder() / f"token-{digest}.bin"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.persistence = build_encrypted_persistence(str(self.path))
        self.where = _("the encrypted file {path}").format(path=self.path)

    def load(self) -> str | None:
        try:
            text = self.persistence.load()
        except Exception:  # not there yet
            return None
        return str(text) if text else None

    def save(self, text: str) -> None:
        self.persistence.save(text)

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def _user_folder() -> Path:
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "kops"
    return Path.home() / "Library" / "Caches" / "kops"


def token_store(name: str) -> TokenStore:
    if sys.platform.startswith(("win", "darwin")):
        try:
            return EncryptedFileStore(name)
        except Exception:  # msal-extensions missing or unusable here: the keyring then
            pass
    return KeyringStore(name)
