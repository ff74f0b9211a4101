"""A QA reviewer's day over the novel payloads and the demo's, indexed as the sync indexes them:
the flagged list's filters and sorts, an interaction opened from it, its review and
assignment by two reviewers, previous / next to the end of the list, the CSV, search and the
dossier, all agreeing at once."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.accounts.models import TenantGrant
from dashboard.demo import api
from dashboard.index.indexer import index_interactions, source_hash
from dashboard.index.models import SyncState
from dashboard.interactions.parsing import parse_interaction
from tests.conftest import allow_contact_details
from tests.novel import NOVEL, serve_novel

pytestmark = pytest.mark.django_db

TENANT = api.DEMO_TENANT_ID
FLAGGED = f"/tenants/{TENANT}/flagged/"
ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)


@pytest.fixture
def day(monkeypatch: Any) -> list[dict[str, Any]]:
    """Every novel payload served and indexed beside the demo's; the index covers 60 days."""
    serve_novel(monkeypatch, *(p.stem for p in sorted(NOVEL.glob("*.json"))))
    raws = api.bodies()
    items = [(parse_interaction(raw), source_hash(raw)) for raw in raws]
    index_interactions(TENANT, items)
    now = datetime.now(UTC)
    SyncState.objects.create(
        tenant_id=TENANT, synced_until=now, backfilled_to=now - timedelta(days=60)
    )
    return raws


def _user(django_user_model: Any, name: str, *, details: bool = True) -> Any:
    user = django_user_model.objects.create_user(name, password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    return allow_contact_details(user) if details else user


@pytest.fixture
def reviewer(client: Any, django_user_model: Any) -> Any:
    client.force_login(_user(django_user_model, "rita"))
    return client


def ids(html: str) -> list[str]:
    return [m.group(1) for m in ROW.finditer(html)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def rows_of(html: str) -> dict[str, str]:
    return {m.group(1): text(m.group(2)) for m in ROW.finditer(html)}


def csv_rows(response: Any) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _page(reviewer: Any, query: dict[str, str], n: int) -> tuple[str, str, str]:
    """The n-th row of the list: its ID, its page's URL and the list's state it carries."""
    body = reviewer.get(FLAGGED, query).content.decode()
    links = [
        unescape(u) for u in re.findall(r'<a href="(/tenants/[^"]+/interactions/[^"]+)"', body)
    ]
    return ids(body)[n], links[n], parse_qs(urlsplit(links[n]).query)["from"][0]


def test_the_review_state_and_assignee_are_in_the_search_results_and_its_csv(
    day: Any, reviewer: Any, django_user_model: Any
) -> None:
    iid, _, _ = _page(reviewer, {"range": "30d"}, 2)
    base = f"/tenants/{TENANT}/interactions/{iid}/"
    rita = django_user_model.objects.get(username="rita")
    reviewer.post(base + "assign/", {"assign-assignee": str(rita.pk), "assign-version": "0"})
    reviewer.post(base + "review/", {"status": "in_review", "comment": "checking", "version": "1"})

    search = f"/tenants/{TENANT}/search/"
    row = rows_of(reviewer.get(search, {"range": "30d"}).content.decode())[iid]
    assert row.endswith("In review Assigned to rita"), row
    exported = {
        r["interaction_id"]: r
        for r in csv_rows(reviewer.get(search + "export.csv", {"range": "30d"}))
    }
    assert exported[iid]["reviewed"] == "no"  # scripts read it: done or not
    assert (exported[iid]["review_status"], exported[iid]["assigned_to"]) == ("in_review", "rita")


def _walk(reviewer: Any, query: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """The list's rows; the interactions "next flagged" goes through from its first row, with
    the place each says it is at; as "previous flagged" goes back from the last."""
    body = reviewer.get(FLAGGED, query).content.decode()
    listed = ids(body)
    if not listed:
        return listed, [], []
    _, _, origin = _page(reviewer, query, 0)
    walked, said = [listed[0]], []
    while True:
        nav = reviewer.get(f"{FLAGGED}nav/", {"at": walked[-1], "from": origin}).content.decode()
        said.append(re.search(r"(\d+) of (\d+)", text(nav)).group(0))  # type: ignore[union-attr]
        step = reviewer.get(f"{FLAGGED}step/", {"dir": "next", "at": walked[-1], "from": origin})
        target = step["Location"]
        if "/interactions/" not in target:
            assert parse_qs(urlsplit(target).query) == parse_qs(origin)  # back to the same list
            break
        assert parse_qs(urlsplit(target).query)["from"] == [origin]
        walked.append(target.split("/interactions/")[1].split("/")[0])
        assert len(walked) <= len(listed)
    return listed, walked, said


SORTS = ["start", "channel", "flow", "agent", "queue", "flag", "duration", "status"]


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
def test_next_flagged_walks_the_list_in_its_sort_and_says_where_you_are(
    day: Any, reviewer: Any, django_user_model: Any, sort: str
) -> None:
    rita = django_user_model.objects.get(username="rita")
    everything = ids(reviewer.get(FLAGGED, {"range": "30d"}).content.decode())
    for n, iid in enumerate(everything[:6]):
        base = f"/tenants/{TENANT}/interactions/{iid}/"
        status = ["done", "in_review", "to_review"][n % 3]
        reviewer.post(base + "review/", {"status": status, "comment": "", "version": "0"})
        if n % 2:
            reviewer.post(
                base + "assign/", {"assign-assignee": str(rita.pk), "assign-version": "1"}
            )
    for filters in ({}, {"status": "to_review"}, {"assigned": "me"}, {"channel": "voice"}):
        query = {"range": "30d", "sort": sort, **filters}
        listed, walked, said = _walk(reviewer, query)
        assert walked == listed, filters
        assert said == [f"{n} of {len(listed)}" for n in range(1, len(listed) + 1)]
