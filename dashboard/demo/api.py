"""An in-process stand-in for the CxEngage API, serving the bundled payloads.

The client is given ``handle`` as its upstream when ``CXENGAGE_API_URL`` is
unset, so demo data goes through the same client, cache and parser as live data.
It answers the endpoints the dashboard uses, the way the API does.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from dashboard.cxengage.client import ApiRequest, ApiResponse

DEMO_TENANT_ID = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
PAYLOADS = Path(__file__).resolve().parent / "payloads"

_ONE = re.compile(r"^/v1/tenants/([^/]+)/interactions/([^/]+)$")
_LIST = re.compile(r"^/v1/tenants/([^/]+)/interactions$")


@cache
def catalogue() -> tuple[dict[str, Any], ...]:
    """The demo interactions in display order: index entries plus their body."""
    index = json.loads((PAYLOADS / "index.json").read_text(encoding="utf-8"))
    entries = []
    for entry in index:
        body = json.loads((PAYLOADS / entry["file"]).read_text(encoding="utf-8"))
        entries.append({**entry, "body": body, "interaction_id": str(body["interactionId"]).lower()})
    return tuple(entries)


def _json(status: int, data: Any) -> ApiResponse:
    return ApiResponse(status, json.dumps(data).encode(), {"Content-Type": "application/json"})


def handle(request: ApiRequest) -> ApiResponse:
    if request.method == "POST" and request.path == "/v1/tokens":
        return _json(200, {"token": "demo-token"})
    if request.method != "GET":
        return _json(405, {"message": "Method not allowed"})
    if match := _ONE.match(request.path):
        tenant_id, interaction_id = (part.lower() for part in match.groups())
        for entry in catalogue():
            if entry["interaction_id"] == interaction_id and tenant_id == DEMO_TENANT_ID:
                return _json(200, {**entry["body"], "tenantId": DEMO_TENANT_ID})
        return _json(404, {"message": "Interaction not found"})
    if match := _LIST.match(request.path):
        return _list(match.group(1).lower(), request.params)
    return _json(404, {"message": "Not found"})


def _list(tenant_id: str, params: Any) -> ApiResponse:
    bodies = [e["body"] for e in catalogue()] if tenant_id == DEMO_TENANT_ID else []
    for name in ("contactId", "hookType", "hookSubType", "hookId"):
        wanted = params.get(name)
        if wanted:
            bodies = [b for b in bodies if _matches(b, name, wanted)]
    start, end = params.get("start"), params.get("end")
    if start:
        bodies = [b for b in bodies if str(b.get("startTimestamp", "")) >= start]
    if end:
        bodies = [b for b in bodies if str(b.get("startTimestamp", "")) < end]
    bodies.sort(key=lambda b: str(b.get("startTimestamp", "")), reverse=True)
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
            "total": len(bodies),
            "tenantId": tenant_id,
            "tenantName": "Demo tenant",
            "tenantTimezone": "America/Halifax",
            "results": [{**b, "tenantId": tenant_id} for b in bodies[offset : offset + limit]],
        },
    )


def _matches(body: dict[str, Any], name: str, wanted: str) -> bool:
    if name == "contactId":
        details = body.get("details") or {}
        return str(body.get("contactId") or details.get("contactId") or "") == wanted
    return any(str(h.get(name, "")) == wanted for h in body.get("hooks") or [] if isinstance(h, dict))
