"""Assigning interactions to reviewers: the service's version check, the assign action, the review
panel, the audit log, and the flagged list's "assigned" column and filter."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.reviews import services
from dashboard.reviews.models import AuditEvent, Review, ReviewChange
from tests.conftest import allow_contact_details

pytestmark = pytest.mark.django_db

FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"
PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/{FLAGGED_AGENT}/"
ASSIGN = PAGE + "assign/"
SAVE = PAGE + "review/"
FLAGGED = f"/tenants/{DEMO_TENANT_ID}/flagged/"
HX = {"HX-Request": "true", "HX-Target": "assignment"}
LIST_HX = {"HX-Request": "true", "HX-Target": "flagged-results"}
ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def rows(body: str) -> dict[str, str]:
    return {iid: " ".join(TAG.sub(" ", inner).split()) for iid, inner in ROW.findall(body)}


def assignment_block(body: str) -> str:
    start = body.index('<div id="assignment"')
    return body[start : body.index("</div>", start)]


@pytest.fixture
def colleague(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("colleague", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    return allow_contact_details(user)


@pytest.fixture
def outsider(django_user_model: Any) -> Any:
    """A user of another tenant: never a reviewer of the demo tenant."""
    user = django_user_model.objects.create_user("outsider", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id="11111111-2222-4333-8444-555555555555")
    return user


# -- the service ---------------------------------------------------------------


def test_assigning_creates_the_review_records_the_change_and_audits(
    demo_user: Any, colleague: Any
) -> None:
    outcome = services.assign(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=0
    )
    assert isinstance(outcome, Review)
    assert (outcome.assignee, outcome.status, outcome.version) == (colleague, "to_review", 1)
    change = ReviewChange.objects.get()
    assert (change.kind, change.assignee, change.changed_by, change.version) == (
        "assign",
        colleague,
        demo_user,
        1,
    )
    event = AuditEvent.objects.get(action="assign")
    assert event.interaction_id == FLAGGED_AGENT
    assert "assigned to colleague" in event.detail
    # Unassigning is a change too.
    cleared = services.assign(demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=None, version=1)
    assert isinstance(cleared, Review)
    assert cleared.assignee is None
    assert cleared.version == 2
    assert "assigned to nobody" in AuditEvent.objects.filter(action="assign").first().detail  # type: ignore[union-attr]


def test_two_people_assigning_from_the_same_version_conflict(
    demo_user: Any, colleague: Any
) -> None:
    services.assign(demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=demo_user, version=0)
    late = services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=0)
    assert isinstance(late, services.AssignConflict)
    assert late.current.assignee == demo_user
    assert late.mine == colleague
    assert Review.objects.get().assignee == demo_user  # the first one is not overwritten
    # From the current version it goes through.
    again = services.assign(
        colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=late.current.version
    )
    assert isinstance(again, Review)
    assert again.assignee == colleague


def test_an_assignment_does_not_cost_a_reviewer_their_edit(demo_user: Any, colleague: Any) -> None:
    """The review form was shown at version 1; an assignment made version 2: the save merges."""
    services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="in_review", comment="v1", version=0
    )
    services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=demo_user, version=1)
    saved = services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="mine", version=1
    )
    assert isinstance(saved, Review)
    assert (saved.status, saved.comment, saved.assignee, saved.version) == (
        "done",
        "mine",
        demo_user,
        3,
    )


def test_a_review_saved_in_between_does_not_block_an_assignment(
    demo_user: Any, colleague: Any
) -> None:
    services.assign(demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=0)  # v1
    services.save_review(
        colleague, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="ok", version=1
    )  # v2
    moved = services.assign(demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=demo_user, version=1)
    assert isinstance(moved, Review)
    assert (moved.assignee, moved.status, moved.comment) == (demo_user, "done", "ok")


def test_a_never_reviewed_interaction_assigned_meanwhile_still_takes_a_first_review(
    demo_user: Any, colleague: Any
) -> None:
    services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=demo_user, version=0)
    saved = services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="x", version=0
    )
    assert isinstance(saved, Review)
    assert saved.assignee == demo_user
    assert saved.comment == "x"


def test_a_status_change_in_between_is_still_a_conflict(demo_user: Any, colleague: Any) -> None:
    services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="in_review", comment="v1", version=0
    )
    services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=1)  # v2
    services.save_review(
        colleague, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="theirs", version=2
    )
    mine = services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="to_review", comment="mine", version=1
    )
    assert isinstance(mine, services.Conflict)
    assert Review.objects.get().comment == "theirs"


# -- the assign action -----------------------------------------------------------


def test_assign_with_htmx_returns_the_control_with_the_assignee(
    signed_in: Any, colleague: Any
) -> None:
    response = signed_in.post(
        ASSIGN, {"assign-assignee": str(colleague.pk), "assign-version": "0"}, headers=HX
    )
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<div id="assignment"')
    assert "Assigned to colleague" in " ".join(TAG.sub(" ", body).split())
    assert "by you" in body  # the viewer assigned it
    assert Review.objects.get().assignee == colleague


def test_the_same_assignment_sent_twice_is_not_a_conflict(signed_in: Any, colleague: Any) -> None:
    sent = {"assign-assignee": str(colleague.pk), "assign-version": "0"}
    assert signed_in.post(ASSIGN, sent, headers=HX).status_code == 200
    again = signed_in.post(ASSIGN, sent, headers=HX)
    assert again.status_code == 200
    assert "Someone else changed the assignment" not in text(again)
    assert Review.objects.get().changes.count() == 1


def test_assign_to_me_without_htmx_redirects_to_the_panel(signed_in: Any, demo_user: Any) -> None:
    response = signed_in.post(ASSIGN, {"assign-assignee": str(demo_user.pk), "assign-version": "0"})
    assert response.status_code == 302
    assert response["Location"] == PAGE + "#assignment"
    page = text(signed_in.get(PAGE))
    block = assignment_block(page)
    assert "Assigned to" in block
    assert "supervisor" in block
    assert "Assign to me" not in block  # already mine
    assert f'<option value="{demo_user.pk}" selected>' in block


def test_the_panel_offers_assign_to_me_and_every_reviewer_of_the_tenant(
    signed_in: Any, demo_user: Any, colleague: Any, outsider: Any
) -> None:
    block = assignment_block(text(signed_in.get(PAGE)))
    assert "Not assigned to anyone" in block
    assert "Assign to me" in block
    assert f'name="assign-assignee" value="{demo_user.pk}"' in block
    assert f'<option value="{colleague.pk}">colleague</option>' in block
    assert "outsider" not in block  # may not see the tenant


def test_the_reviewer_list_follows_grants_names_and_deactivation_at_once(
    signed_in: Any, demo_user: Any, colleague: Any, outsider: Any
) -> None:
    """The list is cached across pages; a change to a user or a grant shows on the next page."""
    assert f'<option value="{colleague.pk}">colleague</option>' in assignment_block(
        text(signed_in.get(PAGE))
    )
    TenantGrant.objects.create(user=outsider, tenant_id=DEMO_TENANT_ID)
    colleague.first_name, colleague.last_name = "Carmen", "Diaz"
    colleague.save()
    block = assignment_block(text(signed_in.get(PAGE)))
    assert f'<option value="{outsider.pk}">outsider</option>' in block
    assert f'<option value="{colleague.pk}">Carmen Diaz</option>' in block
    TenantGrant.objects.filter(user=outsider, tenant_id=DEMO_TENANT_ID).delete()
    colleague.is_active = False
    colleague.save()
    block = assignment_block(text(signed_in.get(PAGE)))
    assert "outsider" not in block
    assert "Carmen Diaz" not in block


def test_the_reviewer_list_costs_no_query_once_cached(signed_in: Any, colleague: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard.reviews.selectors import reviewer_names

    first = reviewer_names(DEMO_TENANT_ID)
    with CaptureQueriesContext(connection) as queries:
        assert reviewer_names(DEMO_TENANT_ID) == first
    assert len(queries) == 0
    assert (colleague.pk, "colleague") in first


def test_assigning_someone_who_may_not_see_the_tenant_is_refused(
    signed_in: Any, outsider: Any
) -> None:
    response = signed_in.post(
        ASSIGN, {"assign-assignee": str(outsider.pk), "assign-version": "0"}, headers=HX
    )
    assert response.status_code == 400
    assert 'role="alert"' in text(response)
    assert not Review.objects.exists()
    assert not AuditEvent.objects.filter(action="assign").exists()


def test_stale_assignment_through_the_view_is_a_409_that_keeps_the_choice(
    signed_in: Any, demo_user: Any, colleague: Any
) -> None:
    services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=0)
    response = signed_in.post(
        ASSIGN, {"assign-assignee": str(demo_user.pk), "assign-version": "0"}, headers=HX
    )
    assert response.status_code == 409
    body = text(response)
    assert "Someone else changed the assignment" in body
    assert "assigned to colleague" in body
    assert f'<option value="{demo_user.pk}" selected>' in body  # my choice, ready to send again
    assert '<input type="hidden" name="assign-version" value="1">' in body
    assert Review.objects.get().assignee == colleague
    # Without htmx, the whole review panel with the same message.
    page = signed_in.post(ASSIGN, {"assign-assignee": str(demo_user.pk), "assign-version": "0"})
    assert page.status_code == 409
    assert "<html" in text(page)
    assert "QA review" in text(page)


def test_assign_needs_post_and_a_grant(
    signed_in: Any, client: Any, outsider: Any, colleague: Any
) -> None:
    assert signed_in.get(ASSIGN).status_code == 405
    client.force_login(outsider)
    assert (
        client.post(
            ASSIGN, {"assign-assignee": str(colleague.pk), "assign-version": "0"}
        ).status_code
        == 404
    )
    assert not Review.objects.exists()


def test_the_interaction_page_is_not_served_from_a_stale_etag_after_an_assignment(
    signed_in: Any, colleague: Any
) -> None:
    first = signed_in.get(PAGE)
    etag = first["ETag"]
    assert signed_in.get(PAGE, headers={"If-None-Match": etag}).status_code == 304
    signed_in.post(ASSIGN, {"assign-assignee": str(colleague.pk), "assign-version": "0"})
    again = signed_in.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "colleague" in assignment_block(text(again))


def test_the_review_history_leaves_assignments_out_and_the_dossier_keeps_them(
    signed_in: Any, demo_user: Any, colleague: Any
) -> None:
    services.save_review(
        demo_user, DEMO_TENANT_ID, FLAGGED_AGENT, status="in_review", comment="look", version=0
    )
    # The colleague takes it (assigns it to themselves).
    services.assign(colleague, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=colleague, version=1)
    page = text(signed_in.get(PAGE))
    assert "History (1)" in page
    # The colleague's assignment since is not a save of the review: the viewer saved it.
    assert "last saved by you" in page and "last saved by colleague" not in page
    dossier = signed_in.get(PAGE + "dossier.json").json()
    assert dossier["review"]["assigned_to"] == "colleague"
    assert [(c["kind"], c["assigned_to"]) for c in dossier["review"]["history"]] == [
        ("assign", "colleague"),
        ("review", None),
    ]


# -- the flagged list ------------------------------------------------------------


def test_the_list_shows_the_assignee_and_filters_assigned_to_me(
    signed_in: Any, demo_user: Any, colleague: Any
) -> None:
    everything = rows(text(signed_in.get(FLAGGED)))
    mine, theirs = sorted(everything)[:2]
    services.assign(demo_user, DEMO_TENANT_ID, mine, assignee=demo_user, version=0)
    services.assign(demo_user, DEMO_TENANT_ID, theirs, assignee=colleague, version=0)
    listed = rows(text(signed_in.get(FLAGGED)))
    assert "supervisor" in listed[mine]
    assert "colleague" in listed[theirs]
    assert set(rows(text(signed_in.get(FLAGGED, {"assigned": "me"}, headers=LIST_HX)))) == {mine}
    assert set(
        rows(text(signed_in.get(FLAGGED, {"assigned": str(colleague.pk)}, headers=LIST_HX)))
    ) == {theirs}
    nobody = rows(text(signed_in.get(FLAGGED, {"assigned": "none"}, headers=LIST_HX)))
    assert set(nobody) == set(everything) - {mine, theirs}
    # Anything else is ignored rather than hiding everything.
    assert set(rows(text(signed_in.get(FLAGGED, {"assigned": "<b>"}, headers=LIST_HX)))) == set(
        everything
    )
    body = text(signed_in.get(FLAGGED, {"assigned": "me"}))
    assert '<option value="me" selected>Assigned to me</option>' in body
    table = list(
        csv.reader(
            io.StringIO(signed_in.get(FLAGGED + "export.csv").getvalue().decode("utf-8-sig"))
        )
    )
    by_id = {r[0]: r for r in table[1:]}
    assert by_id[mine][12] == "supervisor"
    assert by_id[theirs][12] == "colleague"
    assert all(by_id[i][12] == "" for i in set(everything) - {mine, theirs})


def test_assigned_to_me_is_each_viewers_own(client: Any, demo_user: Any, colleague: Any) -> None:
    first = next(iter(rows(text(_signed_in(client, colleague).get(FLAGGED)))))
    services.assign(demo_user, DEMO_TENANT_ID, first, assignee=demo_user, version=0)
    assert rows(text(client.get(FLAGGED, {"assigned": "me"}, headers=LIST_HX))) == {}
    client.force_login(demo_user)
    assert set(rows(text(client.get(FLAGGED, {"assigned": "me"}, headers=LIST_HX)))) == {first}


def _signed_in(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client
