"""Queue SLA thresholds read from the API's configuration by the sync worker."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from dashboard.cxengage import errors
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.index import sla, sla_source
from dashboard.index.models import ApiSla, QueueVisit, SyncState

pytestmark = pytest.mark.django_db

T = "0b5e1a00-0000-4000-8000-00000000c0c0"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Config:
    """A configuration API in memory: answers by method, counts calls, fails on demand."""

    def __init__(self, **answers: Any) -> None:
        self.answers = {
            "get_tenant": {"result": {"id": T, "defaultSlaId": "std"}},
            "list_slas": {
                "result": [
                    {"id": "std", "name": "Standard", "activeVersion": "v2"},
                    {"id": "vip", "name": "VIP"},  # no active version named: its only one
                    {"id": "odd", "name": "Unreadable", "activeVersion": "x"},
                ]
            },
            ("list_sla_versions", "std"): [
                {"versionId": "v1", "slaThreshold": 60, "abandonType": "ignore-abandons"},
                {
                    "versionId": "v2",
                    "slaThreshold": 20,
                    "abandonType": "count-against-sla",
                    "abandonThreshold": 5,
                },
            ],
            ("list_sla_versions", "vip"): {"results": [{"version": "only", "slaThreshold": "10"}]},
            ("list_sla_versions", "odd"): [{"versionId": "x", "slaThreshold": "soon"}],
            "list_queues": [
                {"id": "q1", "name": "Support", "activeVersion": "a"},
                {"id": "q2", "name": "VIP line", "slaId": "vip"},  # named inline
                {"id": "q3", "name": "Odd", "activeVersion": "c"},
                {"id": "q4", "name": "No versions", "activeVersion": "d"},
                {"name": "No ID"},
                "not an object",
            ],
            ("list_queue_versions", "q1"): {"result": [{"version": "a", "slaId": "default"}]},
            ("list_queue_versions", "q3"): {"result": [{"version": "c", "slaId": "odd"}]},
            ("list_queue_versions", "q4"): errors.NotFound("no versions", path="/", status=404),
        }
        self.answers.update(answers)
        self.calls: list[tuple[str, ...]] = []

    def __getattr__(self, method: str) -> Any:
        def call(tenant_id: str, *args: str) -> Any:
            assert tenant_id == T
            self.calls.append((method, *args))
            answer = self.answers.get((method, *args)) if args else self.answers.get(method)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def stored() -> dict[str, tuple[str, float, bool | None, float | None]]:
    return {
        r.queue_name: (r.sla_name, r.threshold_seconds, r.abandons_count, r.abandon_threshold)
        for r in ApiSla.objects.filter(tenant_id=T)
    }


def test_each_queue_gets_its_slas_active_version() -> None:
    read = sla_source.read_slas(Config(), T, now=NOW)
    assert read.outcome == sla_source.READ
    assert stored() == {
        # "default" is the tenant's defaultSlaId; v2 is active, not v1.
        "Support": ("Standard", 20.0, True, 5.0),
        "VIP line": ("VIP", 10.0, None, None),
    }
    state = SyncState.objects.get(tenant_id=T)
    assert (state.slas_outcome, state.slas_read_at) == ("read", NOW)
    assert read.api_calls == 9  # tenant, SLAs, 3 SLA versions, queues, 3 queue versions


@pytest.mark.parametrize(
    ("failure", "outcome"),
    [
        (errors.Forbidden("no", path="/", status=403), sla_source.NOT_PERMITTED),
        (errors.AuthenticationFailed("no", path="/", status=401), sla_source.NOT_PERMITTED),
        (errors.NotFound("no", path="/", status=404), sla_source.NOT_AVAILABLE),
    ],
)
def test_a_refusal_drops_the_api_thresholds_so_the_admins_decide(
    failure: Exception, outcome: str
) -> None:
    sla_source.read_slas(Config(), T, now=NOW)
    assert stored()
    read = sla_source.read_slas(Config(list_slas=failure), T, now=NOW + timedelta(hours=1))
    assert read.outcome == outcome
    assert stored() == {}
    assert SyncState.objects.get(tenant_id=T).slas_outcome == outcome


def test_any_other_failure_keeps_the_last_good_read() -> None:
    sla_source.read_slas(Config(), T, now=NOW)
    failing = Config(list_queues=errors.ServerError("down", path="/", status=503))
    read = sla_source.read_slas(failing, T, now=NOW + timedelta(hours=1))
    assert read.outcome.startswith("failed:")
    assert set(stored()) == {"Support", "VIP line"}


def test_a_read_stops_at_its_call_budget_and_writes_nothing(settings: Any) -> None:
    settings.INDEX_SLA_MAX_CALLS = 3
    client = Config()
    read = sla_source.read_slas(client, T, now=NOW)
    assert len(client.calls) == 3
    assert "INDEX_SLA_MAX_CALLS" in read.outcome
    assert stored() == {}


def test_reads_only_when_due(settings: Any) -> None:
    settings.INDEX_SLA_REFRESH = 3600
    client = Config()
    assert sla_source.read_if_due(client, T, now=NOW) is not None
    assert sla_source.read_if_due(client, T, now=NOW + timedelta(minutes=59)) is None
    assert sla_source.read_if_due(client, T, now=NOW + timedelta(minutes=61)) is not None
    settings.INDEX_SLA_REFRESH = 0
    assert sla_source.read_if_due(client, T, now=NOW + timedelta(days=1)) is None


def test_garbage_answers_give_no_thresholds_and_no_error() -> None:
    client = Config(get_tenant="?", list_slas={"result": "nothing"}, list_queues=42)
    read = sla_source.read_slas(client, T, now=NOW)
    assert (read.outcome, stored()) == ("read", {})


def test_a_visit_is_matched_by_queue_id_before_name() -> None:
    sla_source.read_slas(Config(), T, now=NOW)
    by_id = QueueVisit(tenant_id=T, queue_id="q2", queue_name="Renamed since", sla_time=12.0)
    by_name = QueueVisit(tenant_id=T, queue_id="", queue_name="Support", sla_time=12.0)
    unknown = QueueVisit(tenant_id=T, queue_id="q9", queue_name="Elsewhere", sla_time=12.0)
    found = sla.thresholds(T, [by_id, by_name, unknown])
    assert found[id(by_id)].seconds == 10.0
    assert found[id(by_name)].source == "the API's SLA “Standard”"
    assert id(unknown) not in found
    assert sla.verdict(by_id, found[id(by_id)]).outcome == sla.MISSED


def test_the_worker_reads_the_demo_tenants_slas(settings: Any) -> None:
    settings.DEMO_MODE = True
    settings.CXENGAGE_API_URL = None
    settings.DASHBOARD_DEFAULT_TENANT = DEMO_TENANT_ID
    from dashboard.cxengage import factory

    factory.reset_client()
    out = io.StringIO()
    call_command("sync_interactions", "--once", stdout=out)
    assert "SLA configuration read: 6 queues with 2 SLAs" in out.getvalue()
    rows = {r.queue_name: r for r in ApiSla.objects.filter(tenant_id=DEMO_TENANT_ID)}
    assert rows["Billing"].threshold_seconds == 15.0
    assert rows["Billing"].abandons_count is False
    assert rows["Support"].sla_name == "Standard"
    assert "Tier 2 Escalations" not in rows  # its SLA cannot be read
    again = io.StringIO()
    call_command("sync_interactions", "--once", stdout=again)
    assert "SLA configuration" not in again.getvalue()  # not due again for an hour
