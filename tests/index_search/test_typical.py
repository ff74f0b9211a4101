"""This interaction against the typical one, and SLA verdicts per queue visit."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.demo.api import catalogue
from dashboard.index import sla, typical
from dashboard.index.models import ApiSla, QueueSla, QueueVisit

from .rows import TENANT, index_row

pytestmark = pytest.mark.django_db

DEMO = catalogue()[1]["interaction_id"]
PAGE = f"/tenants/{TENANT}/interactions/{DEMO}/"


def peers(n: int, *, queue: str = "Support", flow: str = "Support flow") -> None:
    """``n`` interactions this week with waits 1..n s in ``queue``."""
    now = timezone.now()
    for i in range(1, n + 1):
        index_row(
            start=now - timedelta(hours=i),
            queues=[(queue, float(i))],
            agents=[("Peer", queue, float(10 * i))],
            flow_name=flow,
            minutes=float(i),
        )


def this_one(wait: float = 28.0) -> None:
    index_row(
        interaction_id=DEMO,
        start=timezone.now() - timedelta(minutes=30),
        queues=[("Support", wait)],
        agents=[("Ann Agent", "Support", 90.0)],
        minutes=4.0,
    )


def test_the_panel_places_each_figure_against_the_week(open_client: Any) -> None:
    peers(20)
    this_one(28.0)
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None
    waits = [c for c in panel.comparisons if c.what == "in Support"]
    assert len(waits) == 1
    wait = waits[0]
    assert wait.count == 20  # the 20 others: this one is no peer of its own
    assert wait.typical == 10.5  # median of 1..20
    assert round(wait.shorter_share) == 100  # all 20 others waited less
    assert wait.text.startswith("0:28 in Support — typical 0:10, longer than 100 %")
    assert {c.what for c in panel.comparisons} == {"in Support", "with Ann Agent", "in total"}
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert 'id="typical"' in page
    assert "0:28 in Support — typical 0:10, longer than 100 % of this week's" in page
    assert "Computed by the dashboard from its index" in page


def test_a_big_interactions_panel_shows_its_total_and_folds_one_line_per_visit(
    open_client: Any,
) -> None:
    peers(20)
    index_row(
        interaction_id=DEMO,
        start=timezone.now() - timedelta(minutes=30),
        queues=[("Support", float(i)) for i in range(1, 26)],  # 25 queue visits
        agents=[("Ann Agent", "Support", 90.0)],
        minutes=4.0,
    )
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None
    assert len(panel.comparisons) == 27  # 25 waits, one agent, the total
    assert panel.folded
    assert [c.what for c in panel.headline] == ["in total"]
    assert len(panel.folded_away) == panel.folded_count == 26
    page = html.unescape(open_client.get(PAGE).content.decode())
    shown, folded = page.split('<details class="table-fold typical-rest">', 1)
    assert "in total — typical" in shown.split('id="typical"', 1)[1]
    assert "26 more: each queue wait and each agent's time against the typical one" in folded
    assert folded.count('data-what="in Support"') == 25  # every one still reachable


def test_the_sla_lines_say_why_direct_transfers_have_none(open_client: Any) -> None:
    """Without peers every queue visit gets its SLA line; a direct transfer to an agent is
    the agent's own line, with no queue SLA: the fold counts the queue visits and says
    how many direct transfers were left out, so it agrees with the queue-visit table."""
    row = index_row(
        interaction_id=DEMO,
        start=timezone.now() - timedelta(minutes=30),
        queues=[("Support", float(i)) for i in range(1, 26)],  # 25 queue visits
        minutes=4.0,
    )
    for n in range(3):
        QueueVisit.objects.create(
            interaction=row,
            tenant_id=TENANT,
            queue_name=f"Agent {n}",
            entered_at=row.start,
            exited_at=row.start + timedelta(seconds=5),
            wait_seconds=5.0,
            direct=True,
        )
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None and len(panel.slas) == 25 and panel.direct == 3
    page = html.unescape(open_client.get(PAGE).content.decode())
    summary = re.sub(r"<[^>]+>", "", page.split("SLA for each of", 1)[1].split("</summary>")[0])
    assert summary == " the 25 queue visits (3 direct transfers to an agent: no queue, no SLA)"


def test_a_short_panel_is_not_folded() -> None:
    peers(20)
    this_one()
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None
    assert not panel.folded
    assert panel.headline == panel.comparisons
    assert panel.folded_away == []


def test_a_shorter_than_typical_figure_says_so() -> None:
    peers(25)
    this_one(2.0)
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None
    wait = next(c for c in panel.comparisons if c.what == "in Support")
    assert "shorter than" in wait.text


def test_the_panel_needs_twenty_comparable_interactions(open_client: Any) -> None:
    peers(18)
    this_one()  # 18 others: this one is not comparable with itself
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None
    assert panel.comparisons == []
    assert ("in Support", 18) in panel.too_few
    page = open_client.get(PAGE).content.decode()
    assert 'id="typical"' not in page
    assert "Not enough comparable interactions" in page
    # The card still says what it is, as a heading, not only to a screen reader.
    assert re.search(
        r'class="card card-line typical-missing"[^>]*>\s*'
        r'<h2 id="typical-title">Against the typical one</h2>',
        page,
    )


def test_last_weeks_and_other_queues_do_not_count() -> None:
    peers(30, queue="Sales")
    now = timezone.now()
    for i in range(30):
        index_row(start=now - timedelta(days=8, hours=i), queues=[("Support", 5.0)])
    this_one()
    panel = typical.panel_for(TENANT, DEMO, now=now)
    assert panel is not None
    assert not [c for c in panel.comparisons if c.what == "in Support"]


def test_no_panel_for_an_interaction_the_index_does_not_hold(open_client: Any) -> None:
    peers(25)
    assert typical.panel_for(TENANT, DEMO, now=timezone.now()) is None
    assert 'id="typical"' not in open_client.get(PAGE).content.decode()


def visit(
    *, sla_time: float | None, abandoned: bool = False, sla_abandoned: bool | None = False
) -> QueueVisit:
    return QueueVisit(
        queue_name="Support",
        tenant_id=TENANT,
        wait_seconds=sla_time,
        sla_time=sla_time,
        abandoned=abandoned,
        sla_abandoned=sla_abandoned,
    )


def limit(
    seconds: float = 20.0, *, abandons_count: bool | None = True, early: float | None = None
) -> sla.Threshold:
    return sla.Threshold(
        seconds=seconds, abandons_count=abandons_count, abandon_threshold=early, source="test"
    )


@pytest.mark.parametrize(
    ("the_visit", "threshold", "outcome", "margin"),
    [
        (visit(sla_time=12.0), limit(20.0), sla.MET, -8.0),
        (visit(sla_time=20.0), limit(20.0), sla.MET, 0.0),
        (visit(sla_time=31.0), limit(20.0), sla.MISSED, 11.0),
        (visit(sla_time=12.0), None, sla.UNKNOWN, None),
        (visit(sla_time=None), limit(20.0), sla.UNKNOWN, None),
        (visit(sla_time=40.0, abandoned=True, sla_abandoned=True), limit(20.0), sla.MISSED, None),
        (
            visit(sla_time=40.0, abandoned=True, sla_abandoned=True),
            limit(20.0, abandons_count=False),
            sla.NOT_COUNTED,
            None,
        ),
        (visit(sla_time=3.0, abandoned=True, sla_abandoned=False), limit(20.0), sla.MET, -17.0),
        # The API's abandonThreshold: abandons sooner than it are not counted.
        (
            visit(sla_time=3.0, abandoned=True, sla_abandoned=True),
            limit(20.0, early=5.0),
            sla.NOT_COUNTED,
            None,
        ),
        (
            visit(sla_time=8.0, abandoned=True, sla_abandoned=True),
            limit(20.0, early=5.0),
            sla.MISSED,
            None,
        ),
        # An SLA that does not say whether abandons count leaves an abandon unknown.
        (
            visit(sla_time=40.0, abandoned=True, sla_abandoned=True),
            limit(20.0, abandons_count=None),
            sla.UNKNOWN,
            None,
        ),
    ],
)
def test_sla_verdicts(
    the_visit: QueueVisit, threshold: sla.Threshold | None, outcome: str, margin: float | None
) -> None:
    verdict = sla.verdict(the_visit, threshold)
    assert verdict.outcome == outcome
    assert verdict.margin == margin


def test_the_api_fields_are_reported_as_sent() -> None:
    said = sla.verdict(visit(sla_time=40.0, abandoned=True, sla_abandoned=True), None).api_says
    assert said == "SLA time 40 s; abandoned, counted against the SLA"
    assert sla.verdict(visit(sla_time=None, sla_abandoned=None), None).api_says == ""


def test_the_page_shows_the_sla_verdict_with_the_threshold(open_client: Any) -> None:
    peers(25)
    this_one(28.0)
    QueueSla.objects.create(tenant_id=TENANT, queue_name="Support", threshold_seconds=20.0)
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert "SLA: missed by 8 s (threshold 20 s)" in page
    assert "threshold entered by an admin" in page
    assert "the API says: SLA time 28 s" in page


def test_an_unknown_threshold_stays_unknown_on_the_page(open_client: Any) -> None:
    this_one(28.0)  # too few peers: the verdict is shown on its own
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert "SLA: unknown (no threshold known for this queue)" in page


def test_a_verdict_on_its_own_says_which_visit_by_when_it_entered(open_client: Any) -> None:
    """A line per queue visit: "In Support, entered at 14:02:11: SLA …", the time in the
    viewer's zone, so that two visits to one queue are told apart."""
    this_one(28.0)
    panel = typical.panel_for(TENANT, DEMO, now=timezone.now())
    assert panel is not None and panel.slas
    queue, _, entered = panel.slas[0]
    assert queue == "Support" and entered is not None
    page = html.unescape(open_client.get(PAGE).content.decode())
    shown = timezone.localtime(entered).strftime("%H:%M:%S")
    assert f"In Support, entered at {shown}: SLA: unknown" in re.sub(r"<[^>]+>", "", page)


def test_the_api_threshold_wins_over_the_admin_entry_and_is_named(open_client: Any) -> None:
    this_one(28.0)
    QueueSla.objects.create(tenant_id=TENANT, queue_name="Support", threshold_seconds=20.0)
    ApiSla.objects.create(
        tenant_id=TENANT,
        queue_id="q-support",
        queue_name="Support",
        sla_id="s-1",
        sla_name="Gold",
        threshold_seconds=30.0,
        abandons_count=True,
        read_at=timezone.now(),
    )
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert "SLA: met (2 s under the 30 s threshold)" in page
    assert "threshold the API's SLA “Gold”" in page


def test_the_page_reads_the_index_once_per_pass(open_client: Any) -> None:
    """The panel and the journey count are kept until the sync stores a pass."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard.index.models import SyncState

    peers(20)
    this_one(28.0)
    state = SyncState.objects.create(tenant_id=TENANT, last_pass_finished=timezone.now())
    first = html.unescape(open_client.get(PAGE).content.decode())
    assert "0:28 in Support — typical 0:10" in first
    for i in range(21, 41):  # twenty longer waits: the typical one moves
        index_row(start=timezone.now() - timedelta(minutes=i), queues=[("Support", 100.0)])
    with CaptureQueriesContext(connection) as queries:
        again = html.unescape(open_client.get(PAGE).content.decode())
    assert "0:28 in Support — typical 0:10" in again  # the same pass: the same figures
    assert not [q for q in queries if "index_queuevisit" in q["sql"]]
    state.last_pass_finished = timezone.now() + timedelta(seconds=1)
    state.save()
    after = html.unescape(open_client.get(PAGE).content.decode())
    # 1..20 s and twenty of 100 s (this one's own 28 s is no peer): the median is 1:00.
    assert "0:28 in Support — typical 1:00, shorter than 50 % of this week's" in after


def test_a_figure_left_out_for_too_few_peers_says_so_beside_the_others(open_client: Any) -> None:
    peers(25)
    peers(5, queue="Billing", flow="Billing flow")
    index_row(
        interaction_id=DEMO,
        start=timezone.now() - timedelta(minutes=30),
        queues=[("Support", 3.0), ("Billing", 4.0)],
        agents=[("Ann Agent", "Billing", 90.0)],
        minutes=4.0,
    )
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert 'id="typical"' in page
    assert "0:03 in Support — typical" in page
    assert (
        "Not enough comparable interactions in the last 7 days to say what is typical "
        "in Billing (5 comparable), with Ann Agent (5 comparable) (20 needed)."
    ) in page


def test_a_verdict_missed_or_met_by_less_than_a_second_says_by_how_much(open_client: Any) -> None:
    peers(25)
    this_one(20.4)
    QueueSla.objects.create(tenant_id=TENANT, queue_name="Support", threshold_seconds=20.0)
    page = html.unescape(open_client.get(PAGE).content.decode())
    assert "SLA: missed by 0.4 s (threshold 20 s)" in page
    assert "the API says: SLA time 20.4 s" in page
    assert "missed by 0 s" not in page


def test_a_figure_that_reads_as_the_typical_one_is_said_to_be_typical() -> None:
    """19.4 s against a typical 19.0 s both read "0:19": saying "longer than" beside two
    equal figures contradicts what the line shows."""
    close = typical.Comparison(
        what="in Support",
        against="Support",
        seconds=19.4,
        typical=19.0,
        count=25,
        shorter_share=100.0,
        longer_share=0.0,
        sampled=False,
    )
    assert close.text == "0:19 in Support — typical 0:19, as typical"
    longer = typical.Comparison(**{**close.__dict__, "seconds": 19.6})
    assert longer.text == "0:20 in Support — typical 0:19, longer than 100 % of this week's"
    hours = typical.Comparison(**{**close.__dict__, "seconds": 3600.4, "typical": 3599.6})
    assert hours.text == "1 h in Support — typical 1 h, as typical"


def test_figures_left_out_are_named_once_however_many_visits_they_cover() -> None:
    panel = typical.Panel(too_few=[("in Billing", 9), ("in Sales", 2), ("in Billing", 9)])
    assert panel.too_few_words == "in Billing (9 comparable), in Sales (2 comparable)"
