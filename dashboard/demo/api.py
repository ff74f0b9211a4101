"""An in-process stand-in for the CxEngage API, serving the bundled payloads.

The client is given ``handle`` as its upstream when ``CXENGAGE_API_URL`` is
unset, so demo data goes through the same client, cache and parser as live data.
It answers the endpoints the dashboard uses, the way the API does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from dashboard.cxengage.client import ApiRequest, ApiResponse

DEMO_TENANT_ID = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
PAYLOADS = Path(__file__).resolve().parent / "payloads"

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_ONE = re.compile(r"^/v1/tenants/([^/]+)/interactions/([^/]+)$")
_LIST = re.compile(r"^/v1/tenants/([^/]+)/interactions$")
_CONFIG = re.compile(r"^/v1/tenants/([^/]+)(?:/(slas|queues)(?:/([^/]+)/(versions))?)?$")


@cache
def catalogue() -> tuple[dict[str, Any], ...]:
    """The demo interactions in display order: index entries plus their body."""
    index = json.loads((PAYLOADS / "index.json").read_text(encoding="utf-8"))
    entries = []
    for entry in index:
        body = json.loads((PAYLOADS / entry["file"]).read_text(encoding="utf-8"))
        entries.append(
            {
                **entry,
                "body": body,
                "interaction_id": str(body["interactionId"]).lower(),
                "latest": max(_stamps(body), default=None),
            }
        )
    return tuple(entries)


def _stamps(value: Any) -> Iterator[datetime]:
    """Every timestamp in a body."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _stamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _stamps(item)
    elif isinstance(value, str) and _STAMP.match(value):
        yield datetime.fromisoformat(value.replace("Z", "+00:00"))


def _shift(value: Any, delta: timedelta) -> Any:
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    if isinstance(value, str) and _STAMP.match(value):
        # Same format as before: offset or Z, with or without milliseconds.
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + delta
        text = moment.isoformat(timespec="milliseconds" if "." in value else "seconds")
        return text.replace("+00:00", "Z") if value.endswith("Z") else text
    return value


def bodies(now: float | None = None) -> list[dict[str, Any]]:
    """The demo interactions as the API serves them today.

    Each one (but the vendor's reference sample) is moved by whole days so that
    it started within the last 24 hours, keeping its time of day: the flagged
    list's default range then finds them, and the in-progress one stays live.
    Nothing is moved past now, though. One whose last moment (its end, its flag)
    would come later, because now falls within its time of day, is moved back by its
    own length (in whole minutes), so that it stays in the last 24 hours; one lasting
    half a day or more goes a day further back (the day-long SMS always does).
    """
    moment = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    served = []
    for entry in catalogue():
        body = entry["body"]
        if entry.get("rebase", True):
            start = datetime.fromisoformat(str(body["startTimestamp"]).replace("Z", "+00:00"))
            days = (moment - start).days
            latest = entry["latest"]
            delta = timedelta(days=days)
            if days > 0 and latest is not None and latest + delta > moment:
                length = latest - start
                if length < timedelta(hours=12):
                    # Back by its own length in whole minutes: it ends before its moved
                    # start, which was a moment ago, and stays put (the same times on
                    # every request) while now is within its time of day.
                    delta -= timedelta(minutes=-(-length.total_seconds() // 60))
                else:
                    while days > 0 and latest + timedelta(days=days) > moment:
                        days -= 1
                    delta = timedelta(days=days)
            body = _shift(body, delta) if delta > timedelta(0) else body
        served.append({**body, "tenantId": DEMO_TENANT_ID})
    return served


def _json(status: int, data: Any) -> ApiResponse:
    return ApiResponse(status, json.dumps(data).encode(), {"Content-Type": "application/json"})


def handle(request: ApiRequest) -> ApiResponse:
    if request.method == "POST" and request.path == "/v1/tokens":
        return _json(200, {"token": "demo-token"})
    if request.method != "GET":
        return _json(405, {"message": "Method not allowed"})
    if match := _ONE.match(request.path):
        tenant_id, interaction_id = (part.lower() for part in match.groups())
        if tenant_id == DEMO_TENANT_ID:
            for body in bodies():
                if str(body["interactionId"]).lower() == interaction_id:
                    return _json(200, body)
        return _json(404, {"message": "Interaction not found"})
    if match := _LIST.match(request.path):
        return _list(match.group(1).lower(), request.params)
    if match := _CONFIG.match(request.path):
        return _configuration(*match.groups())
    return _json(404, {"message": "Not found"})


@cache
def _settings() -> dict[str, Any]:
    """The demo tenant's SLAs and queues (``demo/configuration.json``): the queues'
    and SLAs' versions sit inside them there, and are served at their own paths."""
    return dict(
        json.loads(
            (Path(__file__).resolve().parent / "configuration.json").read_text(encoding="utf-8")
        )
    )


def _configuration(
    tenant_id: str, kind: str | None, item: str | None, versions: str | None
) -> ApiResponse:
    if tenant_id.lower() != DEMO_TENANT_ID:
        return _json(404, {"message": "Tenant not found"})
    known = _settings()
    if kind is None:
        return _json(200, {"result": known["tenant"]})
    if versions is None:
        shown = [{k: v for k, v in entry.items() if k != "versions"} for entry in known[kind]]
        return _json(200, {"result": shown})
    for entry in known[kind]:
        if entry["id"] == item:
            return _json(200, {"result": entry.get("versions", [])})
    return _json(404, {"message": "Not found"})


def _list(tenant_id: str, params: Any) -> ApiResponse:
    found = bodies() if tenant_id == DEMO_TENANT_ID else []
    if params.get("contactId"):
        found = [b for b in found if _contact(b) == params["contactId"]]
    hook_filter = {k: params[k] for k in ("hookType", "hookSubType", "hookId") if params.get(k)}
    if hook_filter:
        found = [b for b in found if _hooked(b, hook_filter)]
    start, end = _instant(params.get("start")), _instant(params.get("end"))
    if start:
        found = [b for b in found if _instant(b.get("startTimestamp")) >= start]
    if end:
        found = [b for b in found if _instant(b.get("startTimestamp")) < end]
    found.sort(key=lambda b: _instant(b.get("startTimestamp")), reverse=True)
    try:
        limit = max(1, min(1000, int(params.get("limit", 100))))
        offset = max(0, int(params.get("offset", 0)))
    except ValueError:
        return _json(400, {"message": "limit and offset must be integers"})
    return _json(
        200,
        {
            "page": offset // limit,
            "limit": limit,
            "offset": offset,
            "total": len(found),
            "tenantId": tenant_id,
            "tenantName": "Demo tenant",
            "tenantTimezone": "America/Halifax",
            "results": found[offset : offset + limit],
        },
    )


def _instant(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _contact(body: dict[str, Any]) -> str:
    details = body.get("details") or {}
    return str(body.get("contactId") or details.get("contactId") or "")


def _hooked(body: dict[str, Any], wanted: dict[str, str]) -> bool:
    """Whether one of the interaction's hooks matches every filter given."""
    return any(
        isinstance(hook, dict) and all(str(hook.get(k, "")) == v for k, v in wanted.items())
        for hook in body.get("hooks") or []
    )
