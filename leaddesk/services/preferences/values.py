"""The named settings the dialog and ``leaddesk settings show|set`` share.

Database-wide keys (sender identity, default phone region, sign-in mode) are written by admins
only, each change audited; the theme is this computer's (``local``). Every value is checked here,
so a typo fails with the key's name, not at the next send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leaddesk.services import activity, settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.services.preferences import local
from leaddesk.services.preferences.regions import clean_region, system_region
from leaddesk.services.team import auth
from leaddesk.services.validation import limit_text
from leaddesk.store.enums import LoginMode, Role

LOGIN_MODE = "login_mode"
THEME = "theme"


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    help: str
    #: Checks and normalises a value; raises ValidationError naming the key.
    clean: Callable[[str], str]


def _text(name: str, limit: int) -> Callable[[str], str]:
    return lambda value: limit_text(value, name, limit)


def _login_mode(value: str) -> str:
    try:
        return LoginMode(value.strip().lower()).value
    except ValueError:
        raise ValidationError(LOGIN_MODE, f"{value!r} is not one of password, none") from None


KEYS: dict[str, Key] = {
    settings.SENDER_NAME: Key(settings.SENDER_NAME, "the name emails are sent as",
                              _text(settings.SENDER_NAME, 200)),
    settings.SENDER_SIGNATURE: Key(settings.SENDER_SIGNATURE,
                                   "the signature under each email (\\n for a new line)",
                                   _text(settings.SENDER_SIGNATURE, 2000)),
    settings.SENDER_POSTAL_ADDRESS: Key(settings.SENDER_POSTAL_ADDRESS,
                                        "the postal address in every email's footer",
                                        _text(settings.SENDER_POSTAL_ADDRESS, 500)),
    settings.PHONE_DEFAULT_REGION: Key(settings.PHONE_DEFAULT_REGION,
                                       "country national phone numbers are read in (e.g. GB)",
                                       clean_region),
    LOGIN_MODE: Key(LOGIN_MODE, "how this database signs in: password or none (no login)",
                    _login_mode),
    THEME: Key(THEME, "this computer's theme: system, light or dark", local.set_theme),
}


def _require_admin(ctx: ServiceContext, key: str) -> None:
    if ctx.actor.role is not Role.ADMIN:
        raise PermissionDeniedError(f"{key}: only an admin changes the database's settings")


def show(ctx: ServiceContext) -> dict[str, str]:
    """Every key and its value as text (the region falls back to this computer's locale)."""
    store = ctx.store
    region = settings.get(store, settings.PHONE_DEFAULT_REGION)
    mode = auth.login_mode(store)
    return {
        settings.SENDER_NAME: settings.get(store, settings.SENDER_NAME, "") or "",
        settings.SENDER_SIGNATURE: settings.get(store, settings.SENDER_SIGNATURE, "") or "",
        settings.SENDER_POSTAL_ADDRESS: settings.get(store, settings.SENDER_POSTAL_ADDRESS, "")
        or "",
        settings.PHONE_DEFAULT_REGION: region or "",
        LOGIN_MODE: mode.value if mode else "",
        THEME: local.theme(),
    }


def default_region(ctx: ServiceContext) -> str | None:
    """The stored region, else this computer's (not stored until someone saves it)."""
    return settings.get(ctx.store, settings.PHONE_DEFAULT_REGION) or system_region()


def put(ctx: ServiceContext, key: str, value: str) -> str:
    """Check and store one value; returns it as stored."""
    spec = KEYS.get(key)
    if spec is None:
        raise ValidationError(key, f"is not a setting; known: {', '.join(KEYS)}")
    if key == THEME:
        return local.set_theme(value)
    cleaned = spec.clean(value)
    _require_admin(ctx, key)
    if key == LOGIN_MODE:
        auth.set_login_mode(ctx, LoginMode(cleaned))
        return cleaned
    before = settings.get(ctx.store, key)
    if before == cleaned:
        return cleaned
    settings.put(ctx.store, key, cleaned)
    with ctx.store.write() as session:
        activity.record(session, ctx.actor.id, "update", "settings", key,
                        summary=f"setting {key} changed", changes={key: [before, cleaned]})
    return cleaned
