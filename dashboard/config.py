"""Settings read from the environment, validated once at start-up.

Anything invalid raises ``ImproperlyConfigured`` with a message that names the
variable and says what to do; secrets are never echoed back.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import uuid
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {raw!r}.")


@contextlib.contextmanager
def stop_on_invalid_settings() -> Iterator[None]:
    """Turn an invalid setting into a one-paragraph message and exit status 1.

    Around the settings module: ``manage.py`` and gunicorn's master (which reads the
    settings before it starts a worker, see ``gunicorn.conf.py``) then stop with what
    is wrong and what to do, not a traceback.
    """
    try:
        yield
    except ImproperlyConfigured as exc:
        raise SystemExit(
            f"The dashboard cannot start: {exc}\n"
            "(Settings come from environment variables: see the README's Settings table.)"
        ) from None


def env_float(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
    why_maximum: str = "",
    unit: str = "seconds",
) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of {unit}, not {raw!r}.") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number of {unit}, not {raw!r}.")
    shown = "" if maximum is None else f"{maximum:g}"
    _within(name, raw, value, minimum, maximum, shown, why_maximum)
    return value


def _within(
    name: str,
    raw: str,
    value: float,
    minimum: float,
    maximum: float | None,
    maximum_text: str,
    why_maximum: str,
) -> None:
    """``value`` (read from ``raw``) lies in its bounds, else the message saying so."""
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    if maximum is not None and value > maximum:
        reason = f": {why_maximum}" if why_maximum else ""
        raise ImproperlyConfigured(f"{name} must be at most {maximum_text}, not {raw!r}{reason}.")


def env_int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int = 0,
    maximum: int | None = None,
    why_maximum: str = "",
) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    _within(name, raw, value, minimum, maximum, str(maximum), why_maximum)
    return value


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(env: Mapping[str, str], name: str = "DJANGO_LOG_LEVEL") -> str:
    raw = env.get(name, "")
    value = raw.strip().upper() or "INFO"
    if value not in _LOG_LEVELS:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(_LOG_LEVELS)}, not {raw!r}.")
    return value


_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def database(env: Mapping[str, str], default: str, **options: Any) -> dict[str, Any]:
    """``DATABASE_URL`` parsed; the message never repeats the URL (it may hold a password)."""
    raw = env.get("DATABASE_URL", "").strip() or default
    scheme = raw.partition("://")[0].lower() if "://" in raw else ""
    expected = "DATABASE_URL must be sqlite:///path or postgres://user@host:5432/db"
    if scheme not in _DATABASE_SCHEMES:
        said = f"a {scheme}:// URL" if scheme and scheme.isalnum() else "something else"
        raise ImproperlyConfigured(f"{expected}, not {said}.")
    try:
        return dict(dj_database_url.parse(raw, **options))
    except ValueError:
        raise ImproperlyConfigured(f"{expected}; its {scheme}:// URL cannot be read.") from None


def redis_url(env: Mapping[str, str]) -> str:
    """``REDIS_URL``, checked; the message never repeats it (it may hold a password)."""
    raw = env.get("REDIS_URL", "").strip()
    for url in filter(None, (part.strip() for part in raw.replace(";", ",").split(","))):
        try:
            parts = urlsplit(url)
            _ = parts.port  # raises ValueError for a bad port
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
            raise ImproperlyConfigured(
                "REDIS_URL must be a redis:// (or rediss://, unix://) URL such as "
                "redis://127.0.0.1:6379/0, or unset for a local-memory cache."
            )
    return raw


def origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated http(s) origins (scheme, host, optional port; nothing after)."""
    found = []
    for item in filter(None, (part.strip() for part in env.get(name, "").split(","))):
        origin = item.rstrip("/")
        try:
            parts = urlsplit(origin)
            _ = parts.port  # raises ValueError for a bad port
        except ValueError:
            parts = urlsplit("")
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ImproperlyConfigured(
                f"{name} must list http(s) origins such as https://recordings.example.com "
                f"(no path), separated by commas, not {item!r}."
            )
        found.append(origin)
    return tuple(found)


def env_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
    return value


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_base_url(raw: str | None) -> str | None:
    """``CXENGAGE_API_URL``, checked; ``None`` means demo mode."""
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise ImproperlyConfigured(f"CXENGAGE_API_URL is not a valid URL: {raw!r}.") from None
    del port
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ImproperlyConfigured(
            "CXENGAGE_API_URL must be an https:// URL such as https://api.cxengage.net, "
            f"not {raw!r}."
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise ImproperlyConfigured(
            "CXENGAGE_API_URL may use plain http:// only for a loopback host (127.0.0.1, "
            f"localhost, ::1); use https:// for {host}."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "CXENGAGE_API_URL must not carry credentials; set CXENGAGE_USERNAME and "
            "CXENGAGE_PASSWORD (or CXENGAGE_API_KEY and CXENGAGE_API_SECRET) instead."
        )
    if parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ImproperlyConfigured(
            "CXENGAGE_API_URL must be just the API's base, e.g. https://api.cxengage.net, "
            f"not {raw!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


def api_credentials(env: Mapping[str, str]) -> dict[str, str]:
    """Basic (user + password) or token (key + secret) credentials, checked."""

    def read(name: str) -> str:
        value = env.get(name, "")
        file_name = env.get(f"{name}_FILE", "")
        if not value and file_name:
            try:
                with open(file_name, encoding="utf-8") as fh:
                    value = fh.read().strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc.strerror}.") from None
        return value

    creds = {
        "username": read("CXENGAGE_USERNAME"),
        "password": read("CXENGAGE_PASSWORD"),
        "api_key": read("CXENGAGE_API_KEY"),
        "api_secret": read("CXENGAGE_API_SECRET"),
    }
    if bool(creds["username"]) != bool(creds["password"]):
        raise ImproperlyConfigured("Set both CXENGAGE_USERNAME and CXENGAGE_PASSWORD, or neither.")
    if bool(creds["api_key"]) != bool(creds["api_secret"]):
        raise ImproperlyConfigured("Set both CXENGAGE_API_KEY and CXENGAGE_API_SECRET, or neither.")
    if creds["username"] and creds["api_key"]:
        raise ImproperlyConfigured(
            "Set either CXENGAGE_USERNAME/CXENGAGE_PASSWORD or "
            "CXENGAGE_API_KEY/CXENGAGE_API_SECRET, not both."
        )
    return creds


def environ() -> Mapping[str, str]:
    return os.environ


def tenant_id(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return ""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a tenant UUID, not {raw!r}.") from None


_DEMO_CRM_LINKS = {
    "zendesk": "https://example.zendesk.com/agent/tickets/{hookId}",
    "zendesk__user": "https://example.zendesk.com/agent/users/{hookId}",
    "salesforce": "https://example.lightning.force.com/lightning/r/Case/{hookId}/view",
}


def crm_link_templates(env: Mapping[str, str], *, demo: bool) -> dict[str, str]:
    """``CRM_LINK_ZENDESK=https://acme.zendesk.com/agent/tickets/{hookId}`` and the like;
    ``CRM_LINK_ZENDESK__USER=…/agent/users/{hookId}`` for one sub type of record (keyed
    "zendesk__user"), used before the type's own."""
    templates = dict(_DEMO_CRM_LINKS) if demo else {}
    for name, value in env.items():
        if not name.startswith("CRM_LINK_") or not value.strip():
            continue
        hook_type = name.removeprefix("CRM_LINK_").lower()
        template = value.strip()
        parts = urlsplit(template.replace("{hookId}", "x").replace("{hookSubType}", "x"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(f"{name} must be an http(s) URL template, not {value!r}.")
        if "{hookId}" not in template:
            raise ImproperlyConfigured(
                f"{name} must contain {{hookId}} where the record's ID goes."
            )
        templates[hook_type] = template
    return templates
