"""How long the flagged list takes for a day of 5,000 interactions.

A stand-in API on 127.0.0.1 serves 5,000 generated interactions (about 4 %
flagged) through the list endpoint with a realistic latency per page; the
dashboard (in-process Django, the whole middleware stack, a signed-in user)
loads the list the way the browser does: the page, then the htmx loader's
fragment requests until the table is complete. Reported: wall time, dashboard
requests, upstream list requests, flagged rows found (over every page of the
table), and the time of a filter change afterwards (served from the cached pages).

    .venv/bin/python bench/flagged.py [--interactions 5000] [--latency 0.3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from harness import ROOT, TENANT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per list page")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "flagged.json"))
    args = parser.parse_args()

    client = harness.start("bench-qa")
    from django.conf import settings

    from dashboard.demo.generate import generate_interaction
    from tests.standin import StandInAPI

    with StandInAPI() as api:
        started = time.monotonic()
        flagged = 0
        for n in range(args.interactions):
            body = generate_interaction(1 + n % 3, seed=n, tenant_id=TENANT, flagged=n % 25 == 0)
            flagged += bool(body.get("flagged"))
            api.interactions[(TENANT, body["interactionId"])] = body
        generated = time.monotonic() - started
        list_key = f"GET /v1/tenants/{TENANT}/interactions"
        original = api._misbehave

        def slow(handler: Any, key: str) -> bool:
            if key == list_key:
                time.sleep(args.latency)
            return original(handler, key)

        api._misbehave = slow  # type: ignore[method-assign]
        harness.point_at(api.url)

        url = f"/tenants/{TENANT}/flagged/"
        query = {
            "start": "2026-11-20T00:00:00.000Z",
            "end": "2026-11-21T00:00:00.000Z",
            "range": "custom",
        }
        t0 = time.monotonic()
        response = client.get(url, query)
        first_response = time.monotonic() - t0
        requests = 1
        while b"<progress" in response.content:
            response = client.get(
                url, query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="flagged-results"
            )
            requests += 1
            if requests > 200:
                raise SystemExit("the list never finished loading")
        total = time.monotonic() - t0
        # The table shows one page at a time: count the rows of every page (cached scan).
        rows = response.content.count(b"data-interaction=")
        page = 1
        while b'rel="next"' in response.content:
            page += 1
            response = client.get(url, {**query, "page": str(page)})
            rows += response.content.count(b"data-interaction=")
        upstream = api.requests[list_key]

        t1 = time.monotonic()
        filtered = client.get(
            url,
            {**query, "flag": "Agent"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="flagged-results",
        )
        refilter = time.monotonic() - t1
        assert filtered.status_code == 200
        upstream_after = api.requests[list_key]

    result = {
        "interactions": args.interactions,
        "flagged_expected": flagged,
        "flagged_rows": rows,
        "latency_per_page_s": args.latency,
        "page_size": settings.FLAGGED_PAGE_SIZE,
        "first_response_s": round(first_response, 3),
        "complete_s": round(total, 3),
        "dashboard_requests": requests,
        "upstream_list_requests": upstream,
        "filter_change_s": round(refilter, 3),
        "upstream_requests_for_filter_change": upstream_after - upstream,
        "generation_s": round(generated, 2),
    }
    print(
        f"Flagged list, a day of {args.interactions:,} interactions, {args.latency:.2f} s per upstream page:"
    )
    print(
        f"  first response {first_response:.2f} s; table complete after {total:.2f} s in {requests} dashboard requests"
    )
    print(
        f"  upstream list requests: {upstream} (page size {settings.FLAGGED_PAGE_SIZE}); flagged rows {rows} of {flagged} expected"
    )
    print(
        f"  a filter change afterwards: {refilter * 1000:.0f} ms, {upstream_after - upstream} more upstream requests"
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    if rows != flagged:
        print("ERROR: the list does not show every flagged interaction", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
