"""Cache figures: hit ratio over a mixed run, and the time to show a stale page with the API down.

A stand-in API on 127.0.0.1 serves 40 interactions (a quarter still in
progress); the dashboard (in-process Django, signed-in user) answers a mixed,
seeded run of page views, timeline partials, detail panels, live polls and raw
views. Reported: dashboard requests, upstream requests and the hit ratio (the
share of requests answered without asking the API). Then the API goes down
(every answer 503) after the copies' lifetimes end: the time to show each
interaction's last good copy, first and repeated.

    .venv/bin/python bench/cache.py [--requests 600] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from harness import ROOT, TENANT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "cache.json"))
    args = parser.parse_args()

    client = harness.start("bench-cache")
    from django.conf import settings
    from django.core.cache import cache

    from dashboard.cxengage.factory import reset_client
    from dashboard.demo.generate import generate_interaction
    from dashboard.interactions import cache as services
    from tests.standin import Behaviour, StandInAPI

    rng = random.Random(7)

    with StandInAPI() as api:
        ids = []
        for n in range(40):
            body = generate_interaction(1 + n % 6, seed=1000 + n, tenant_id=TENANT)
            if n % 4 == 0:
                body["dataComplete"] = False
            api.interactions[(TENANT, body["interactionId"])] = body
            ids.append(body["interactionId"])
        harness.point_at(api.url)
        settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 2.0, "deadline": 3.0}
        settings.CACHE_TTL_IN_PROGRESS = 2
        reset_client()
        cache.clear()

        kinds = ["page", "page", "timeline", "detail", "poll", "raw"]
        started = time.monotonic()
        for _ in range(args.requests):
            iid = rng.choice(ids[: rng.choice([5, 10, 40])])  # some interactions are popular
            url = f"/tenants/{TENANT}/interactions/{iid}/"
            kind = rng.choice(kinds)
            if kind == "page":
                response = client.get(url)
            elif kind == "timeline" or kind == "poll":
                response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
            elif kind == "detail":
                response = client.get(
                    url + "?focus=ivr", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail-panel"
                )
            else:
                response = client.get(url + "raw/")
            assert response.status_code == 200, (kind, response.status_code)
        elapsed = time.monotonic() - started
        upstream = sum(v for k, v in api.requests.items() if k.startswith("GET /v1/tenants/"))
        hit_ratio = 1 - upstream / args.requests

        # The API goes down after every copy's lifetime has ended.
        for iid in ids[:10]:
            cache.delete(services.interaction_key(TENANT, iid))
            api.script(
                f"GET /v1/tenants/{TENANT}/interactions/{iid}", Behaviour(status=503, times=None)
            )
        first, repeat = [], []
        for iid in ids[:10]:
            url = f"/tenants/{TENANT}/interactions/{iid}/"
            for bucket in (first, repeat):
                t0 = time.monotonic()
                response = client.get(url)
                bucket.append(time.monotonic() - t0)
                assert response.status_code == 200 and b"This is a copy fetched" in response.content

    result = {
        "dashboard_requests": args.requests,
        "upstream_requests": upstream,
        "hit_ratio": round(hit_ratio, 4),
        "mixed_run_seconds": round(elapsed, 2),
        "interactions": len(ids),
        "in_progress_ttl_s": 2,
        "stale_first_ms_median": round(statistics.median(first) * 1000, 1),
        "stale_repeat_ms_median": round(statistics.median(repeat) * 1000, 1),
    }
    print(
        f"Mixed run: {args.requests} dashboard requests over {len(ids)} interactions (a quarter live, "
        f"cached 2 s), {upstream} upstream requests: hit ratio {hit_ratio:.1%} ({elapsed:.1f} s)"
    )
    print(
        f"API down, last good copy shown: first request {result['stale_first_ms_median']:.0f} ms "
        f"(median; 3 failing attempts with back-off), repeats {result['stale_repeat_ms_median']:.0f} ms "
        f"(the failure is remembered)"
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
