"""Settings read from the environment, validated once at start-up.

Anything invalid raises ``ImproperlyConfigured`` with a message that names the
variable and says what to do; secrets are never echoed back.
"""

from __future__ import annotations

import ipaddress
import math
import os
import uuid
from collections.abc import Mapping
from urllib.parse import urlsplit

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


def env_float(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
    why_maximum: str = "",
) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}.") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number of seconds, not {raw!r}.")
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    if maximum is not None and value > maximum:
        reason = f": {why_maximum}" if why_maximum else ""
        raise ImproperlyConfigured(f"{name} must be at most {maximum:g}, not {raw!r}{reason}.")
    return value


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    return value


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
    "salesforce": "https://example.lightning.force.com/lightning/r/Case/{hookId}/view",
}


def crm_link_templates(env: Mapping[str, str], *, demo: bool) -> dict[str, str]:
    """``CRM_LINK_ZENDESK=https://acme.zendesk.com/agent/tickets/{hookId}`` and the like."""
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
