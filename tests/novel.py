"""Serve the novel payloads (tests/fixtures/novel/) as demo interactions, as they were
sent (never moved in time), for view and browser tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard.demo import api

NOVEL = Path(__file__).resolve().parent / "fixtures" / "novel"


def novel_body(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((NOVEL / f"{name}.json").read_text(encoding="utf-8"))
    return body


def serve_novel(monkeypatch: Any, *names: str) -> dict[str, str]:
    """Add the named payloads to the demo API; their page URLs by name."""
    shown = api.catalogue()
    added = []
    for name in names:
        body = novel_body(name)
        iid = str(body["interactionId"]).lower()
        added.append(
            {
                "file": f"{name}.json",
                "title": name,
                "summary": "",
                "rebase": False,
                "body": body,
                "interaction_id": iid,
            }
        )
    everything = tuple(added) + shown
    monkeypatch.setattr(api, "catalogue", lambda: everything)
    return {
        e["title"]: f"/tenants/{api.DEMO_TENANT_ID}/interactions/{e['interaction_id']}/"
        for e in added
    }


def serve_body(monkeypatch: Any, body: dict[str, Any]) -> str:
    """Add ``body`` to the demo API as it was sent (never moved in time); its page's URL."""
    iid = str(body["interactionId"]).lower()
    entry = {
        "file": f"{iid}.json",
        "title": iid,
        "summary": "",
        "rebase": False,
        "body": body,
        "interaction_id": iid,
    }
    shown = api.catalogue()
    monkeypatch.setattr(api, "catalogue", lambda: (entry, *shown))
    return f"/tenants/{api.DEMO_TENANT_ID}/interactions/{iid}/"
