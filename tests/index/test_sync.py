"""The sync worker against the stand-in API: backfill, incremental passes, overlap, late
completion, unreadable rows, failures mid-pass, a second worker, retention, repeats."""

from __future__ import annotations

import copy
import gc
import io
import logging
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from dashboard.demo.api import DEMO_TENANT_ID, bodies
from dashboard.index import indexer, sync
from dashboard.index.indexer import customer_key, index_interactions, source_hash
from dashboard.index.models import AgentLeg, Hook, IndexedInteraction, QueueVisit, SyncState
from dashboard.interactions.parsing import parse_interaction
from tests.index.conftest import LIST_KEY, LIVE, WindowedStandIn, body_at, lock_held_elsewhere, when
from tests.standin import Behaviour

pytestmark = pytest.mark.django_db


def now() -> datetime:
    return datetime.now(UTC)


def ids(*raws: dict[str, Any]) -> set[str]:
    return {str(r["interactionId"]).lower() for r in raws}


def indexed() -> set[str]:
    return set(
        IndexedInteraction.objects.filter(tenant_id=LIVE).values_list("interaction_id", flat=True)
    )


def state() -> SyncState:
    return SyncState.objects.get(tenant_id=LIVE)


def assert_children_complete() -> None:
    """Every stored interaction has exactly the child rows its body has: nothing half-written."""
    for row in IndexedInteraction.objects.filter(tenant_id=LIVE):
        item = parse_interaction(
            next(b for (t, i), b in API.interactions.items() if i == row.interaction_id)
        )
        assert row.queue_visits.count() == len(item.queues)
        assert row.agent_legs.count() == len(item.agents)


API: WindowedStandIn  # set by the autouse fixture below, for assert_children_complete


@pytest.fixture(autouse=True)
def _remember(api: WindowedStandIn) -> None:
    global API
    API = api


# -- backfill and incremental passes ------------------------------------------------------


def test_backfill_reads_every_window_down_to_since(api: WindowedStandIn) -> None:
    raws = [body_at(now() - timedelta(hours=5 * i + 1)) for i in range(12)]  # over 2.5 days
    api.put(*raws)
    (report,) = sync.sync_pass(since=timedelta(days=3))
    assert report.error == ""
    assert indexed() == ids(*raws)
    assert report.stored == 12
    s = state()
    assert s.backfilled_to == s.backfill_from
    assert s.backfill_from is not None
    assert abs((s.backfill_from - (now() - timedelta(days=3))).total_seconds()) < 60
    assert s.tenant_timezone == "America/Halifax"
    assert_children_complete()


def test_first_pass_without_since_reaches_back_one_day(api: WindowedStandIn) -> None:
    recent, old = body_at(now() - timedelta(hours=20)), body_at(now() - timedelta(hours=30))
    api.put(recent, old)
    sync.sync_pass()
    assert indexed() == ids(recent)


def test_backfill_that_runs_out_of_calls_resumes_next_pass(
    api: WindowedStandIn, settings: Any
) -> None:
    raws = [body_at(now() - timedelta(days=d, hours=2)) for d in range(5)]
    api.put(*raws)
    settings.INDEX_SYNC_MAX_CALLS = 3  # forward window + two backfill days
    (first,) = sync.sync_pass(since=timedelta(days=5))
    assert first.budget_spent
    s = state()
    assert s.backfill_from is not None
    assert s.backfilled_to is not None
    assert s.backfill_from < s.backfilled_to < now() - timedelta(days=1)  # part of the way
    assert 0 < len(indexed()) < 5
    settings.INDEX_SYNC_MAX_CALLS = 1000
    sync.sync_pass()  # no --since again: the cursor remembers
    assert indexed() == ids(*raws)
    assert state().backfilled_to == state().backfill_from


def test_incremental_pass_reads_only_since_the_cursor(api: WindowedStandIn) -> None:
    old = body_at(now() - timedelta(hours=3))
    api.put(old)
    sync.sync_pass()
    before = api.list_calls
    new = body_at(now() - timedelta(minutes=2))
    api.put(new)
    (report,) = sync.sync_pass()
    assert indexed() == ids(old, new)
    assert report.stored == 1
    assert api.list_calls - before == 1  # one window: the overlap up to now


def test_overlap_picks_up_late_data(api: WindowedStandIn, settings: Any) -> None:
    sync.sync_pass()
    synced = state().synced_until
    assert synced is not None
    # Reported late: started before the cursor, inside the overlap (and one outside it).
    late = body_at(synced - timedelta(minutes=10))
    too_late = body_at(synced - timedelta(minutes=40))
    api.put(late, too_late)
    sync.sync_pass()
    assert ids(late) <= indexed()
    assert not ids(too_late) & indexed()
    settings.INDEX_SYNC_OVERLAP = 3600  # a longer overlap catches it
    sync.sync_pass()
    assert ids(too_late) <= indexed()


def test_repeat_pass_writes_nothing(api: WindowedStandIn) -> None:
    api.put(*[body_at(now() - timedelta(minutes=20 * i + 5)) for i in range(10)])
    sync.sync_pass()
    stamps = dict(IndexedInteraction.objects.values_list("interaction_id", "indexed_at"))
    hashes = dict(IndexedInteraction.objects.values_list("interaction_id", "source_hash"))
    children = QueueVisit.objects.count(), AgentLeg.objects.count(), Hook.objects.count()
    SyncState.objects.all().delete()  # a worker that lost its cursor reads it all again
    (again,) = sync.sync_pass()
    assert again.stored == 0
    assert again.skipped == 10
    assert dict(IndexedInteraction.objects.values_list("interaction_id", "indexed_at")) == stamps
    assert dict(IndexedInteraction.objects.values_list("interaction_id", "source_hash")) == hashes
    assert (QueueVisit.objects.count(), AgentLeg.objects.count(), Hook.objects.count()) == children
    assert state().last_pass_stored == 0


# -- in progress, thin rows, unreadable rows -----------------------------------------------


def test_in_progress_interactions_are_re_read_until_complete(api: WindowedStandIn) -> None:
    live = body_at(now() - timedelta(hours=2), dataComplete=False)
    del live["endTimestamp"]
    api.put(live)
    sync.sync_pass()
    iid = str(live["interactionId"]).lower()
    assert IndexedInteraction.objects.get(interaction_id=iid).data_complete is False
    single = f"GET /v1/tenants/{LIVE}/interactions/{iid}"

    (report,) = sync.sync_pass()  # started before the overlap: only a single re-read sees it
    assert api.requests[single] == 1
    assert report.reread == 1
    assert IndexedInteraction.objects.get(interaction_id=iid).data_complete is False

    done = {**live, "dataComplete": True, "endTimestamp": body_at(now())["startTimestamp"]}
    api.put(done)
    sync.sync_pass()
    row = IndexedInteraction.objects.get(interaction_id=iid)
    assert row.data_complete is True
    assert row.end is not None
    sync.sync_pass()
    assert api.requests[single] == 2  # complete now: no more re-reads


def test_list_rows_without_details_are_fetched_singly(
    api: WindowedStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    raws = [body_at(now() - timedelta(minutes=30 + i)) for i in range(3)]
    api.put(*raws)
    api.list_row = lambda b: {
        k: v for k, v in b.items() if k not in ("segments", "queues", "agents")
    }
    logging.getLogger("dashboard").addHandler(caplog.handler)
    try:
        (report,) = sync.sync_pass()
        assert report.fetched_singly == 3
        assert QueueVisit.objects.count() == sum(len(r["queues"]) for r in raws)
        assert "lacks segments, queues and agents for 3" in caplog.text
        (again,) = sync.sync_pass()
        assert again.fetched_singly == 0  # unchanged list rows are not fetched again
    finally:
        logging.getLogger("dashboard").removeHandler(caplog.handler)


def test_a_row_whose_start_cannot_be_read_keeps_the_span_it_was_listed_for(
    api: WindowedStandIn,
) -> None:
    from dashboard.interactions import listing
    from dashboard.interactions.selectors import flagged_order

    started = now() - timedelta(minutes=30)
    raw = body_at(started, flagged=True, flagType="agent")
    api.put(raw)

    def unreadable_start(body: dict[str, Any]) -> dict[str, Any]:
        row = copy.deepcopy(body)
        row["startTimestamp"] = "soon"
        row.get("details", {}).pop("startTimestamp", None)
        return row

    api.list_row = unreadable_start
    sync.sync_pass()
    row = IndexedInteraction.objects.get(interaction_id=str(raw["interactionId"]).lower())
    assert row.start is None
    assert row.listed_from is not None and row.listed_to is not None
    assert row.listed_from <= started < row.listed_to
    # The flagged list of a range the span overlaps holds it.
    window = listing.Range(started - timedelta(hours=2), now(), "custom")
    listed = flagged_order(
        tenant_id=LIVE, window=window, refinement=listing.Refinement(), always=""
    )
    assert listed == [(row.interaction_id, True, True)]


def test_unreadable_rows_are_counted_and_named_and_the_good_ones_stored(
    api: WindowedStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    good = [body_at(now() - timedelta(minutes=30 + i)) for i in range(3)]
    api.put(*good)
    foreign = body_at(now() - timedelta(minutes=40), tenantId=DEMO_TENANT_ID)
    no_id = body_at(now() - timedelta(minutes=41))
    del no_id["interactionId"], no_id["details"]["interactionId"]
    api.extra_rows = ["not an interaction", no_id, foreign]
    logging.getLogger("dashboard").addHandler(caplog.handler)
    try:
        (report,) = sync.sync_pass()
    finally:
        logging.getLogger("dashboard").removeHandler(caplog.handler)
    assert indexed() == ids(*good)
    assert report.unreadable == 3
    assert state().last_pass_unreadable == 3
    assert report.error == ""
    assert str(foreign["interactionId"]) in caplog.text  # named in the log


# -- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        Behaviour(status=500),
        Behaviour(status=503),
        Behaviour(status=429, headers={"Retry-After": "7"}),
    ],
    ids=["500", "503", "429"],
)
def test_failure_mid_backfill_keeps_the_cursor_and_records_the_error(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch, failure: Behaviour
) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)  # several pages a window
    raws = [body_at(now() - timedelta(hours=6 * i + 2)) for i in range(10)]
    api.put(*raws)
    api.failure = failure
    api.fail_lists_from = 4  # forward window, then page 2 of a backfill day fails
    (report,) = sync.sync_pass(since=timedelta(days=3))
    assert report.error
    s = state()
    assert s.last_error == report.error
    assert str(failure.status) in s.last_error
    assert s.errors_total == 1
    assert s.last_error_at is not None
    assert s.backfilled_to is not None
    # The day whose page failed is not counted as stored.
    assert s.backfilled_to > now() - timedelta(days=1, minutes=5)
    assert_children_complete()
    if failure.status == 429:
        assert report.retry_after == 7

    api.stop_failing()
    (again,) = sync.sync_pass()
    assert again.error == ""
    assert indexed() == ids(*raws)
    assert state().last_error == ""  # recovered; the count keeps the history
    assert state().errors_total == 1
    assert_children_complete()


def test_a_hanging_api_times_out_and_the_next_pass_resumes(
    api: WindowedStandIn, settings: Any
) -> None:
    from dashboard.cxengage import factory

    settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 1.0, "deadline": 1.5}
    factory.reset_client()
    raw = body_at(now() - timedelta(minutes=30))
    api.put(raw)
    api.script(LIST_KEY, Behaviour(hang=True, times=1))
    (report,) = sync.sync_pass()
    assert "timeout" in report.error
    assert indexed() == set()
    sync.sync_pass()
    assert indexed() == ids(raw)


def test_once_exits_non_zero_when_the_api_failed(api: WindowedStandIn) -> None:
    api.script(LIST_KEY, Behaviour(status=500))
    err = io.StringIO()
    with pytest.raises(CommandError, match="next pass resumes"):
        call_command("sync_interactions", "--once", stderr=err, stdout=io.StringIO())
    assert "server_error 500" in err.getvalue()


# -- pages in flight: one fetched, one parsed, one stored ---------------------------------


def sync_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("index-")]


def test_repeat_pass_parses_nothing(api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 3)
    api.put(*[body_at(now() - timedelta(minutes=20 * i + 5)) for i in range(10)])
    sync.sync_pass()
    parsed: list[Any] = []
    monkeypatch.setattr(sync, "parse_interaction", lambda raw: parsed.append(raw))
    SyncState.objects.all().delete()
    (again,) = sync.sync_pass()
    assert (again.stored, again.skipped) == (0, 10)
    assert parsed == []  # unchanged rows are recognised by their hash, before the parser


@pytest.mark.parametrize("changed", [False, True], ids=["same", "changed"])
def test_an_interaction_on_two_pages_of_a_window_is_stored_with_its_children_once(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch, changed: bool
) -> None:
    # Offset paging over a window that moves: a row seen on page 1 comes again on page 2,
    # which is looked up while page 1 is still being stored.
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    raws = [body_at(now() - timedelta(hours=i + 1), segments=3) for i in range(3)]
    api.put(*raws)
    again = copy.deepcopy(raws[0])
    if changed:
        again["dispositionName"] = "Changed on the way"
        again["queues"] = again["queues"][:1]
    api.extra_rows = [again]  # after the window's three: page 2 is [raws[2], again]
    (report,) = sync.sync_pass()
    assert report.error == ""
    assert indexed() == ids(*raws)
    assert (report.stored, report.skipped) == ((4, 0) if changed else (3, 1))
    row = IndexedInteraction.objects.get(interaction_id=min(ids(raws[0])))
    assert row.queue_visits.count() == len(again["queues"])  # replaced, never doubled
    assert row.agent_legs.count() == len(again["agents"])
    assert row.disposition == again["dispositionName"]
    assert sync_threads() == []


def test_a_list_answer_without_a_total_is_read_to_its_last_short_page(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    raws = [body_at(now() - timedelta(hours=i + 1)) for i in range(5)]
    api.put(*raws)
    envelope = api.list_body
    monkeypatch.setattr(
        api,
        "list_body",
        lambda tenant, query: {k: v for k, v in envelope(tenant, query).items() if k != "total"},
    )
    (report,) = sync.sync_pass()
    assert report.error == ""
    assert indexed() == ids(*raws)  # every page, not only the first


def test_a_failure_after_the_first_page_keeps_that_page_and_the_cursor(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    raws = [body_at(now() - timedelta(hours=i + 1)) for i in range(5)]
    api.put(*raws)
    api.fail_lists_from = 2  # the one-day window's second page
    (report,) = sync.sync_pass()
    assert "500" in report.error
    assert indexed() == ids(*raws[:2])  # page 1 was read and parsed: it is stored
    assert report.stored == 2
    s = state()
    assert s.backfilled_to is not None and s.backfill_from is not None
    assert s.backfilled_to > s.backfill_from  # the window is not counted as done
    assert sync_threads() == []
    api.stop_failing()
    (after,) = sync.sync_pass()
    assert (after.stored, after.skipped) == (3, 2)
    assert indexed() == ids(*raws)
    assert_children_complete()


def test_a_window_stored_whole_counts_when_the_next_windows_first_page_fails(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The next window's first page is asked for while this window's last is parsed.
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    day1 = [body_at(now() - timedelta(hours=i + 1)) for i in range(3)]  # two pages
    day2 = [body_at(now() - timedelta(hours=30 + i)) for i in range(2)]
    api.put(*day1, *day2)
    api.fail_lists_from = 3  # the second day's first page
    (report,) = sync.sync_pass(since=timedelta(days=2))
    assert "500" in report.error
    assert report.windows == 2
    assert indexed() == ids(*day1)
    s = state()
    assert s.backfilled_to is not None and s.backfill_from is not None
    day_start = now() - timedelta(days=1)
    assert abs((s.backfilled_to - day_start).total_seconds()) < 60  # the first day counts
    assert s.backfilled_to > s.backfill_from
    api.stop_failing()
    (after,) = sync.sync_pass()
    assert (after.stored, after.skipped) == (2, 0)  # only the day that failed is read again
    assert indexed() == ids(*day1, *day2)
    assert_children_complete()


def test_a_failed_store_stops_the_window_with_nothing_half_written(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    raws = [body_at(now() - timedelta(hours=i + 1)) for i in range(5)]
    api.put(*raws)
    upserts: list[int] = []

    def failing(real: Any) -> Any:
        def upsert(parents: list[dict[str, Any]]) -> dict[str, int]:
            ids = real(parents)
            upserts.append(len(parents))
            if len(upserts) == 2:  # page 2's summary rows are in, its child rows not yet
                raise DatabaseError("the disk is full")
            return ids

        return upsert

    monkeypatch.setattr(indexer, "_upsert_parents_orm", failing(indexer._upsert_parents_orm))
    monkeypatch.setattr(indexer, "_upsert_parents_copy", failing(indexer._upsert_parents_copy))
    with pytest.raises(DatabaseError):
        sync.sync_pass()
    assert sync_threads() == []
    assert indexed() == ids(*raws[:2])  # page 2's transaction was rolled back whole
    assert_children_complete()
    s = state()
    assert s.backfilled_to is not None and s.backfill_from is not None
    assert s.backfilled_to > s.backfill_from


def test_a_window_pauses_the_cycle_collector_and_shortens_turns_then_sets_both_back(
    api: WindowedStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.put(*[body_at(now() - timedelta(hours=i + 1)) for i in range(3)])
    during: list[tuple[bool, float]] = []
    real_write = sync.write_batch

    def write(batch: Any) -> Any:
        during.append((gc.isenabled(), sys.getswitchinterval()))
        return real_write(batch)

    monkeypatch.setattr(sync, "write_batch", write)
    interval = sys.getswitchinterval()
    assert gc.isenabled()
    assert interval > sync.SWITCH_INTERVAL
    sync.sync_pass()
    assert during
    assert all(state == (False, pytest.approx(sync.SWITCH_INTERVAL)) for state in during)
    assert (gc.isenabled(), sys.getswitchinterval()) == (True, interval)
    api.fail_lists_from = 1
    SyncState.objects.all().delete()
    (failed,) = sync.sync_pass()
    assert failed.error
    assert (gc.isenabled(), sys.getswitchinterval()) == (True, interval)  # after a failure too
    gc.disable()
    try:
        sync.sync_pass()
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


# -- one worker per tenant ----------------------------------------------------------------


def test_a_second_worker_leaves_a_locked_tenant_alone_and_says_why(api: WindowedStandIn) -> None:
    api.put(body_at(now() - timedelta(minutes=5)))
    err = io.StringIO()
    with lock_held_elsewhere(LIVE):
        (report,) = sync.sync_pass()
        call_command("sync_interactions", "--once", stderr=err, stdout=io.StringIO())
    assert report.locked_out
    assert "another process is syncing this tenant" in err.getvalue()
    assert api.list_calls == 0
    assert indexed() == set()
    (after,) = sync.sync_pass()  # released: this worker syncs
    assert not after.locked_out
    assert len(indexed()) == 1


# -- retention ---------------------------------------------------------------------------


def test_retention_purges_old_rows_with_their_children(api: WindowedStandIn, settings: Any) -> None:
    settings.INDEX_RETENTION_DAYS = 90
    old = body_at(now() - timedelta(days=95))
    recent = body_at(now() - timedelta(days=10))
    index_interactions(LIVE, [(parse_interaction(r), source_hash(r)) for r in (old, recent)])
    assert QueueVisit.objects.count() == len(old["queues"]) + len(recent["queues"])
    (report,) = sync.sync_pass(since=timedelta(days=200))
    assert report.purged == 1
    assert indexed() == ids(recent)
    assert QueueVisit.objects.count() == len(recent["queues"])
    s = state()
    assert s.backfill_from is not None
    assert s.backfill_from >= now() - timedelta(days=90, minutes=5)  # never fetches what it purges


# -- the command makes the index answer ----------------------------------------------------


def test_sync_once_makes_the_index_answer_searches(api: WindowedStandIn) -> None:
    target = body_at(now() - timedelta(days=2), customer="+1 (506) 555-0199")
    others = [body_at(now() - timedelta(hours=9 * i + 1)) for i in range(6)]
    api.put(target, *others)
    out = io.StringIO()
    call_command("sync_interactions", "--once", "--since", "7d", stdout=out)
    assert f"{LIVE}: 7 stored" in out.getvalue()
    found = IndexedInteraction.objects.filter(
        tenant_id=LIVE, customer_key=customer_key("506-555-0199".join(["+1 ", ""]))
    )
    assert set(found.values_list("interaction_id", flat=True)) == ids(target)
    queue = target["queues"][0]["queueName"]
    agent = target["agents"][0]["agentName"]
    assert QueueVisit.objects.filter(tenant_id=LIVE, queue_name=queue).exists()
    assert AgentLeg.objects.filter(tenant_id=LIVE, agent_name=agent).exists()
    row = IndexedInteraction.objects.get(interaction_id=min(ids(target)))
    assert row.start == when(target["startTimestamp"])


def test_sync_once_indexes_the_demo_data(settings: Any) -> None:
    settings.DEMO_MODE = True
    settings.CXENGAGE_API_URL = None
    settings.DASHBOARD_DEFAULT_TENANT = DEMO_TENANT_ID
    from dashboard.cxengage import factory

    factory.reset_client()
    call_command("sync_interactions", "--once", "--since", "30d", stdout=io.StringIO())
    recent = {
        str(b["interactionId"]).lower()
        for b in bodies()
        if when(b["startTimestamp"]) >= now() - timedelta(days=30)
    }
    stored = set(
        IndexedInteraction.objects.filter(tenant_id=DEMO_TENANT_ID).values_list(
            "interaction_id", flat=True
        )
    )
    assert stored == recent
    assert IndexedInteraction.objects.filter(tenant_id=DEMO_TENANT_ID, flagged=True).count() >= 5


def test_since_must_be_a_span() -> None:
    with pytest.raises(CommandError, match="--since"):
        call_command("sync_interactions", "--once", "--since", "yesterday")


def test_tenant_must_be_a_tenant_id_and_asks_the_api_nothing_otherwise(
    api: WindowedStandIn,
) -> None:
    with pytest.raises(CommandError, match="--tenant: a tenant ID is a UUID"):
        call_command("sync_interactions", "--once", "--tenant", "acme")
    assert not api.requests


def test_covered_range_follows_the_cursors(api: WindowedStandIn, settings: Any) -> None:
    from dashboard.index.coverage import covered_range

    assert covered_range(LIVE) is None
    sync.sync_pass(since=timedelta(days=2))
    since, until = covered_range(LIVE) or (None, None)
    assert since == state().backfill_from
    assert until == state().synced_until - timedelta(seconds=settings.INDEX_SYNC_OVERLAP)


def test_reindex_reads_every_indexed_interaction_again_and_rewrites_its_rows(
    api: WindowedStandIn,
) -> None:
    """After an upgrade that changes what the index holds (offers never accepted, marked):
    rows indexed before are rewritten, however old, without a backfill being asked for."""
    raws = [body_at(now() - timedelta(hours=10 * i + 1)) for i in range(5)]  # over 2 days
    api.put(*raws)
    sync.sync_pass(since=timedelta(days=3))
    assert indexed() == ids(*raws)
    IndexedInteraction.objects.update(agent_names="as an older version wrote it")
    (repeat,) = sync.sync_pass()
    assert repeat.stored == 0  # an ordinary pass leaves them alone: their JSON is unchanged
    out = io.StringIO()
    call_command("sync_interactions", "--once", "--reindex", stdout=out, stderr=io.StringIO())
    assert f"{LIVE}: 5 indexed interactions will be read again and rewritten" in out.getvalue()
    assert state().last_pass_stored == 5
    assert not IndexedInteraction.objects.filter(agent_names="as an older version wrote it")
    assert set(IndexedInteraction.objects.values_list("source_hash", flat=True)) == {
        source_hash(r) for r in raws
    }
    assert_children_complete()


def test_reindex_leaves_a_tenant_another_process_is_syncing(api: WindowedStandIn) -> None:
    api.put(body_at(now() - timedelta(hours=1)))
    sync.sync_pass()
    with lock_held_elsewhere(LIVE):
        assert sync.start_reindex(LIVE) is None
    assert "" not in set(IndexedInteraction.objects.values_list("source_hash", flat=True))
