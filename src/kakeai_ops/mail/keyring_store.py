"""The OS keyring (Windows Credential Manager, macOS Keychain, Secret Service): where secrets live.

The SMTP password, OAuth2 refresh tokens and token caches are kept here, never
in kops.yaml or the workspace. Without the ``keyring`` package or a usable
backend, reading finds nothing and writing says how to get one.
"""

from __future__ import annotations

from typing import Any

from ..errors import KopsError
from ..i18n import _

SERVICE = "kops"


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def keyring_get(name: str, service: str = SERVICE) -> str | None:
    module = _keyring()
    if module is None:
        return None
    try:
        value = module.get_password(service, name)
    except Exception:  # no usable keyring backend
        return None
    return str(value) if value else None


def keyring_set(name: str, value: str, service: str = SERVICE) -> None:
    module = _keyring()
    if module is None:
        raise KopsError(
            _("the OS keyring cannot be used (the keyring package is not installed)"),
            hint=_("install it with {command}").format(command="pip install -e '.[oauth]'"),
        )
    try:
        module.set_password(service, name, value)
    except Exception as error:
        # The backend's message only: it never contains the value.
        raise KopsError(
            _("could not save in the OS keyring ({error})").format(error=type(error).__name__),
            hint=_(
                "check that the Windows Credential Manager, the macOS Keychain or the Linux "
                "Secret Service (GNOME Keyring or the like) can be used"
            ),
        ) from None


def keyring_delete(name: str, service: str = SERVICE) -> bool:
    module = _keyring()
    if module is None:
        return False
    try:
        module.delete_password(service, name)
    except Exception:  # not there, or no backend
        return False
    return True
