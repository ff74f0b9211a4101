"""A slow API: the page's frame comes at once, the rest when the API answers."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import PAGE, TENANT, UPSTREAM, load_fixture, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client: Any, django_user_model: Any, live_mode: str, settings: Any) -> Any:
    settings.PAGE_FRAME_AFTER = 0.15
    return sign_in(client, django_user_model, "frame-viewer", tenants=[TENANT])


def test_slow_api_gets_the_frame_first(viewer: Any) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(2.5)
        return httpx.Response(200, json=load_fixture("reference-sample.json"))

    viewer.get("/")  # the process's first request imports the URL conf: not what is timed
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).mock(side_effect=slow)
        started = time.monotonic()
        frame = viewer.get(PAGE)
        frame_seconds = time.monotonic() - started
        rest = viewer.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")
        total_seconds = time.monotonic() - started
    body = frame.content.decode()
    assert frame.status_code == 200
    assert frame_seconds < 2.0  # well before the API's answer (2.5 s), even on a busy machine
    assert "Asking the CxEngage API" in body and 'hx-target="#main"' in body
    assert frame["Cache-Control"] == "no-store"
    page = rest.content.decode()
    assert rest.status_code == 200 and "Basic Flow" in page and 'id="timeline"' in page
    assert 2.4 < total_seconds < 6
    assert route.call_count == 1  # the frame's background fetch and the rest share one request


def test_slow_failure_shows_its_page_in_the_frame(viewer: Any) -> None:
    def slow_404(request: httpx.Request) -> httpx.Response:
        time.sleep(0.6)
        return httpx.Response(404, json={"message": "nope"})

    with respx.mock() as mock:
        mock.get(UPSTREAM).mock(side_effect=slow_404)
        assert viewer.get(PAGE).status_code == 200
        rest = viewer.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")
    assert rest.status_code == 404
    assert "No such interaction in this tenant" in rest.content.decode()
    assert 'id="main"' in rest.content.decode()


def test_fast_api_gets_the_whole_page_at_once(viewer: Any, settings: Any) -> None:
    settings.PAGE_FRAME_AFTER = (
        2.0  # an answer within the wait is served whole, even on a busy machine
    )
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = viewer.get(PAGE)
    assert response.status_code == 200
    assert "Basic Flow" in response.content.decode()
    assert "Asking the CxEngage API" not in response.content.decode()


def test_with_background_fetches_backed_up_a_page_waits_instead_of_queueing_more(
    viewer: Any, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An API so slow that background fetches pile up: past PREFETCH_BACKLOG a page is
    not queued behind them (to be fetched long after its viewer left); it waits for
    its own answer, and the log says so."""
    from dashboard.interactions import selectors

    monkeypatch.setattr(selectors, "_pool", None)
    monkeypatch.setattr(selectors, "PREFETCH_BACKLOG", 0)
    viewer.get("/")
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        with caplog.at_level("WARNING", logger="dashboard.interactions"):
            page = viewer.get(PAGE)
    assert page.status_code == 200 and 'id="timeline"' in page.content.decode()
    assert route.call_count == 1
    assert "background fetches are backed up" in caplog.text
    monkeypatch.setattr(selectors, "_pool", None)  # the next test gets a pool of its own
