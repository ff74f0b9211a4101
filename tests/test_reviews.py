"""QA reviews: saving, optimistic concurrency, history, the audit log and its admin."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.reviews import services
from dashboard.reviews.models import AuditEvent, Review, ReviewChange
from tests.conftest import allow_contact_details

pytestmark = pytest.mark.django_db

FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"
PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/{FLAGGED_AGENT}/"
SAVE = PAGE + "review/"
DOSSIER = PAGE + "dossier.json"
HX = {"HX-Request": "true", "HX-Target": "review"}
ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def version_in(body: str) -> int:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', body)
    assert match, "the review form carries its version"
    return int(match.group(1))


@pytest.fixture
def colleague(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("colleague", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    return allow_contact_details(user)


# -- saving ------------------------------------------------------------------


def test_page_shows_an_unsaved_review_form(signed_in: Any) -> None:
    body = text(signed_in.get(PAGE))
    assert '<section id="review"' in body
    assert "not reviewed yet" in body
    assert version_in(body) == 0
    assert f'action="{SAVE}"' in body and f'hx-post="{SAVE}"' in body
    for label in ("To review", "In review", "Done"):
        assert label in body


def test_save_without_htmx_redirects_to_the_review(signed_in: Any, demo_user: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "in_review", "comment": "Checking the agent leg.", "version": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE + "#review"
    review = Review.objects.get(tenant_id=DEMO_TENANT_ID, interaction_id=FLAGGED_AGENT)
    assert (review.status, review.comment, review.version) == (
        "in_review",
        "Checking the agent leg.",
        1,
    )
    assert review.updated_by == demo_user
    change = ReviewChange.objects.get(review=review)
    assert (change.status, change.comment, change.version, change.changed_by) == (
        "in_review",
        "Checking the agent leg.",
        1,
        demo_user,
    )
    # The page then shows it, with its history.
    body = text(signed_in.get(PAGE))
    assert "last saved by you" in body  # the viewer saved it
    assert "History (1)" in body and "Checking the agent leg." in body
    assert version_in(body) == 1


def test_save_with_htmx_returns_the_review_fragment(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "All good.", "version": "0"}, headers=HX
    )
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="review"')
    assert "<html" not in body
    assert "Saved." in body
    assert 'status-pill status-done">Done<' in body
    assert "All good." in body
    assert version_in(body) == 1  # the form now carries the saved version
    assert Review.objects.get().version == 1


def test_history_lists_every_change_newest_first(signed_in: Any) -> None:
    signed_in.post(SAVE, {"status": "in_review", "comment": "first look", "version": "0"})
    signed_in.post(SAVE, {"status": "done", "comment": "second look", "version": "1"})
    review = Review.objects.get()
    assert review.version == 2 and review.comment == "second look"
    assert [(c.version, c.comment) for c in review.changes.all()] == [
        (2, "second look"),
        (1, "first look"),
    ]
    body = text(signed_in.get(PAGE))
    assert "History (2)" in body
    assert body.index("second look") < body.index("first look")


# -- conflicts ---------------------------------------------------------------


def test_the_same_save_sent_twice_is_not_a_conflict(signed_in: Any) -> None:
    """A double click (or a resent form) posts the same version twice: the second finds the
    review already as asked and must not say someone else saved it."""
    sent = {"status": "done", "comment": "Checked twice.", "version": "0"}
    assert signed_in.post(SAVE, sent, headers=HX).status_code == 200
    again = signed_in.post(SAVE, sent, headers=HX)
    assert again.status_code == 200
    assert "Someone else saved" not in text(again)
    assert "Saved." in text(again)
    review = Review.objects.get()
    assert review.version == 1 and review.changes.count() == 1


def test_a_conflict_with_ones_own_save_from_another_tab_says_so(signed_in: Any) -> None:
    first = signed_in.post(SAVE, {"status": "in_review", "comment": "Tab one.", "version": "0"})
    assert first.status_code in (200, 302)
    response = signed_in.post(SAVE, {"status": "done", "comment": "Tab two.", "version": "0"})
    body = text(response)
    assert response.status_code == 409
    assert "You saved this review from another tab or window while editing it here" in body
    assert "Someone else saved" not in body


def test_stale_version_is_a_conflict_that_keeps_both_texts(signed_in: Any, colleague: Any) -> None:
    saved = services.save_review(
        colleague,
        DEMO_TENANT_ID,
        FLAGGED_AGENT,
        status="done",
        comment="Colleague: reviewed, fine.",
        version=0,
    )
    assert isinstance(saved, Review)
    response = signed_in.post(
        SAVE, {"status": "in_review", "comment": "Mine: the agent end is missing.", "version": "0"}
    )
    body = text(response)
    assert response.status_code == 409
    assert "Someone else saved this review while you were editing" in body
    assert "Colleague: reviewed, fine." in body
    assert "Mine: the agent end is missing." in body
    assert "Saved by colleague (version 1)" in body
    # The typed text is in the form to save again, now at the current version.
    assert re.search(r"<textarea[^>]*>\s*Mine: the agent end is missing.</textarea>", body)
    assert re.search(r'<option value="in_review" selected>', body)
    assert version_in(body) == 1
    # Nothing was overwritten.
    review = Review.objects.get()
    assert (review.status, review.comment, review.version, review.updated_by) == (
        "done",
        "Colleague: reviewed, fine.",
        1,
        colleague,
    )
    assert ReviewChange.objects.count() == 1
    # Saving again from the conflict form wins.
    again = signed_in.post(
        SAVE,
        {
            "status": "in_review",
            "comment": "Mine: the agent end is missing.",
            "version": str(version_in(body)),
        },
    )
    assert again.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.comment, review.version) == (
        "in_review",
        "Mine: the agent end is missing.",
        2,
    )
    assert ReviewChange.objects.count() == 2


def test_conflict_through_htmx_is_a_409_fragment(signed_in: Any, colleague: Any) -> None:
    services.save_review(
        colleague, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="theirs", version=0
    )
    response = signed_in.post(
        SAVE, {"status": "to_review", "comment": "mine", "version": "0"}, headers=HX
    )
    body = text(response)
    assert response.status_code == 409
    assert body.lstrip().startswith('<section id="review"')
    assert "<html" not in body
    assert "theirs" in body and "mine" in body
    assert "Saved." not in body
    assert Review.objects.get().comment == "theirs"


def test_stale_update_of_an_existing_review_conflicts(signed_in: Any, colleague: Any) -> None:
    signed_in.post(SAVE, {"status": "in_review", "comment": "v1", "version": "0"})
    services.save_review(
        colleague,
        DEMO_TENANT_ID,
        FLAGGED_AGENT,
        status="done",
        comment="v2 by colleague",
        version=1,
    )
    response = signed_in.post(SAVE, {"status": "to_review", "comment": "late edit", "version": "1"})
    assert response.status_code == 409
    assert "v2 by colleague" in text(response) and "late edit" in text(response)
    review = Review.objects.get()
    assert (review.comment, review.version) == ("v2 by colleague", 2)


def test_invalid_status_is_400_and_keeps_the_typed_text(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "approved", "comment": "Typed before the error.", "version": "0"}
    )
    body = text(response)
    assert response.status_code == 400
    assert re.search(r"<textarea[^>]*>\s*Typed before the error.</textarea>", body)
    assert "Select a valid choice" in body
    assert not Review.objects.exists()
    assert not ReviewChange.objects.exists()


def test_invalid_status_through_htmx_is_a_400_fragment(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "", "comment": "Still here.", "version": "0"}, headers=HX
    )
    assert response.status_code == 400
    assert text(response).lstrip().startswith('<section id="review"')
    assert "Still here." in text(response)
    assert not Review.objects.exists()


@pytest.mark.parametrize("version", ["-1", "x", ""], ids=["negative", "text", "missing"])
def test_bad_version_is_400_and_keeps_the_text(signed_in: Any, version: str) -> None:
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "Typed before the error.", "version": version}
    )
    assert response.status_code == 400
    assert "Typed before the error." in text(response)
    assert not Review.objects.exists()


def test_bad_version_says_what_is_wrong(signed_in: Any) -> None:
    """The version is a hidden field: its error must still be shown, or the 400 explains nothing."""
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "Typed before the error.", "version": ""}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode(), (
        "a 400 for a missing version shows no message"
    )


def test_too_long_comment_is_refused(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "x" * 10_001, "version": "0"}, headers=HX
    )
    assert response.status_code == 400
    assert "<html" not in text(response)
    assert not Review.objects.exists()


def test_comment_at_the_textarea_limit_with_line_breaks_is_saved(signed_in: Any) -> None:
    """The textarea counts a line break as one character but the browser sends CR LF: a
    comment the textarea accepts must not be refused as too long."""
    comment = ("line\r\n" * 2000)[:-2]  # 10,000 characters as typed, 11,998 as sent
    response = signed_in.post(
        SAVE, {"status": "done", "comment": comment, "version": "0"}, headers=HX
    )
    assert response.status_code == 200
    assert Review.objects.get().comment == comment.replace("\r\n", "\n")


def test_field_errors_are_announced(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "x" * 10_001, "version": "0"}, headers=HX
    )
    assert response.status_code == 400
    assert re.search(
        r'<span class="error" role="alert" id="id_comment-error">Ensure this value', text(response)
    )


def test_right_to_left_comments_keep_their_direction(signed_in: Any, colleague: Any) -> None:
    """Arabic or Hebrew text in a comment is isolated with its own direction wherever it is
    shown, so it neither reads backwards nor reorders the words around it."""
    rtl = "המוקדן ניתק את השיחה 👍"
    services.save_review(
        colleague, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment=rtl, version=0
    )
    body = text(signed_in.post(SAVE, {"status": "in_review", "comment": rtl + "!", "version": "0"}))
    assert re.search(r'<textarea name="comment"[^>]* dir="auto"', body)
    assert f'<p class="comment" dir="auto">{rtl}</p>' in body  # theirs, in the conflict
    assert f'<p class="comment" dir="auto">{rtl}!</p>' in body  # mine
    assert f'<span class="comment" dir="auto">{rtl}</span>' in body  # the history


def test_a_save_after_the_grant_was_revoked_is_refused_and_keeps_the_form(
    signed_in: Any, demo_user: Any
) -> None:
    """The grant goes between loading the page and saving: a 404 (as for any tenant not
    granted), said in an alert placed before the review box rather than a whole page
    swapped over it, so the typed comment stays in the form."""
    signed_in.post(SAVE, {"status": "in_review", "comment": "first", "version": "0"})
    TenantGrant.objects.filter(user=demo_user).delete()
    response = signed_in.post(
        SAVE, {"status": "done", "comment": "late", "version": "1"}, headers=HX
    )
    assert response.status_code == 404
    assert response["HX-Reswap"] == "beforebegin"
    body = text(response)
    assert "<html" not in body and 'role="alert"' in body and "Nothing was saved." in body
    assert Review.objects.get().comment == "first"
    plain = signed_in.post(SAVE, {"status": "done", "comment": "late", "version": "1"})
    assert plain.status_code == 404 and "<html" in text(plain)


def test_an_expired_form_through_htmx_is_an_alert_not_a_page(demo_user: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_user)
    sent = {"status": "done", "comment": "typed", "version": "0"}
    response = client.post(SAVE, sent, headers=HX)
    assert response.status_code == 403
    assert response["HX-Reswap"] == "beforebegin"
    body = text(response)
    assert "<html" not in body and 'role="alert"' in body and "This form has expired" in body
    plain = client.post(SAVE, sent)
    assert plain.status_code == 403 and "<html" in text(plain)
    assert "This form has expired" in text(plain)
    assert not Review.objects.exists()


def test_review_needs_post_a_grant_and_valid_ids(
    signed_in: Any, client: Any, django_user_model: Any
) -> None:
    assert signed_in.get(SAVE).status_code == 405
    assert (
        signed_in.post(
            f"/tenants/{DEMO_TENANT_ID}/interactions/nope/review/",
            {"status": "done", "comment": "", "version": "0"},
        ).status_code
        == 404
    )
    outsider = django_user_model.objects.create_user("outsider", password="pw-for-tests-1")
    TenantGrant.objects.create(user=outsider, tenant_id="11111111-2222-4333-8444-555555555555")
    client.force_login(outsider)
    response = client.post(SAVE, {"status": "done", "comment": "sneaky", "version": "0"})
    assert response.status_code == 404
    assert not Review.objects.exists()
    assert client.get(DOSSIER).status_code == 404


def test_race_two_threads_saving_version_zero(
    transactional_db: Any, django_user_model: Any
) -> None:
    a = django_user_model.objects.create_user("racer-a")
    b = django_user_model.objects.create_user("racer-b")
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def save(user: Any, comment: str) -> Any:
        return services.save_review(
            user, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment=comment, version=0
        )

    def run(user: Any, comment: str) -> None:
        try:
            barrier.wait(timeout=5)
            try:
                outcomes[comment] = save(user, comment)
            except OperationalError as exc:
                # SQLite's in-memory shared-cache test database refuses a second writer at
                # once ("table is locked") instead of waiting; PostgreSQL (and a file
                # database with a busy timeout) makes it wait. Then the loser saves after.
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                time.sleep(0.3)
                outcomes[comment] = save(user, comment)
        except Exception as exc:
            outcomes[comment] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(a, "from A")),
        threading.Thread(target=run, args=(b, "from B")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not any(isinstance(o, Exception) for o in outcomes.values()), outcomes
    wins = [o for o in outcomes.values() if isinstance(o, Review)]
    conflicts = [o for o in outcomes.values() if isinstance(o, services.Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    review = Review.objects.get()
    assert review.version == 1 and review.comment == wins[0].comment
    assert conflicts[0].current.comment == review.comment
    assert conflicts[0].mine_comment != review.comment
    assert ReviewChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="review").count() == 1


# -- the flagged list shows the review status --------------------------------


def test_review_status_shows_in_the_flagged_list(signed_in: Any) -> None:
    before = dict(
        ROW.findall(signed_in.get(f"/tenants/{DEMO_TENANT_ID}/flagged/").content.decode())
    )
    assert "status-to_review" in before[FLAGGED_AGENT]
    signed_in.post(SAVE, {"status": "done", "comment": "", "version": "0"})
    after = dict(ROW.findall(signed_in.get(f"/tenants/{DEMO_TENANT_ID}/flagged/").content.decode()))
    assert 'status-pill status-done">Done<' in after[FLAGGED_AGENT]
    others = [row for iid, row in after.items() if iid != FLAGGED_AGENT]
    assert others and all("status-to_review" in row for row in others)


# -- audit log ---------------------------------------------------------------


def test_opening_an_interaction_is_audited(signed_in: Any, demo_user: Any) -> None:
    signed_in.get(PAGE)
    event = AuditEvent.objects.get(action="view")
    assert (event.user, event.tenant_id, event.interaction_id) == (
        demo_user,
        DEMO_TENANT_ID,
        FLAGGED_AGENT,
    )
    # Partials (htmx polls) are not views of their own.
    signed_in.get(PAGE, headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert AuditEvent.objects.filter(action="view").count() == 1


def test_review_change_is_audited(signed_in: Any, demo_user: Any) -> None:
    signed_in.post(SAVE, {"status": "in_review", "comment": "", "version": "0"})
    event = AuditEvent.objects.get(action="review")
    assert (event.user, event.interaction_id) == (demo_user, FLAGGED_AGENT)
    assert "in_review" in event.detail and "version 1" in event.detail
    # A refused save (conflict) changes nothing and is not audited as a change.
    signed_in.post(SAVE, {"status": "done", "comment": "", "version": "0"})
    assert AuditEvent.objects.filter(action="review").count() == 1


def test_dossier_export_is_audited_and_holds_the_review(signed_in: Any, demo_user: Any) -> None:
    signed_in.post(SAVE, {"status": "in_review", "comment": "first", "version": "0"})
    signed_in.post(SAVE, {"status": "done", "comment": "second", "version": "1"})
    response = signed_in.get(DOSSIER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="dossier-{FLAGGED_AGENT}.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["interaction_id"] == FLAGGED_AGENT and data["tenant_id"] == DEMO_TENANT_ID
    assert data["exported_by"] == "supervisor"
    assert data["interaction"]["interactionId"] == FLAGGED_AGENT
    assert data["interaction"]["flagType"] == "Agent"
    assert data["contact_details_masked"] is False
    assert data["review"]["status"] == "done" and data["review"]["comment"] == "second"
    assert data["review"]["version"] == 2 and data["review"]["updated_by"] == "supervisor"
    assert [h["comment"] for h in data["review"]["history"]] == ["second", "first"]
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.interaction_id, event.detail) == (
        demo_user,
        FLAGGED_AGENT,
        "dossier JSON",
    )


def test_raw_download_is_audited_but_raw_view_is_not_an_export(signed_in: Any) -> None:
    signed_in.get(PAGE + "raw/")
    assert not AuditEvent.objects.filter(action="export").exists()
    signed_in.get(PAGE + "raw/?download=1")
    assert AuditEvent.objects.get(action="export").detail == "raw JSON"


def test_audit_admin_is_read_only(client: Any, django_user_model: Any, demo_user: Any) -> None:
    services.audit(demo_user, AuditEvent.Action.VIEW, DEMO_TENANT_ID, FLAGGED_AGENT, "opened")
    event = AuditEvent.objects.get()
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    changelist = client.get("/admin/reviews/auditevent/")
    assert changelist.status_code == 200
    assert FLAGGED_AGENT in changelist.content.decode()
    assert "/admin/reviews/auditevent/add/" not in changelist.content.decode()
    assert client.get("/admin/reviews/auditevent/add/").status_code == 403
    assert client.post("/admin/reviews/auditevent/add/", {"action": "view"}).status_code == 403
    change_url = f"/admin/reviews/auditevent/{event.pk}/change/"
    detail = client.get(change_url)
    assert detail.status_code == 200  # viewable …
    assert 'name="_save"' not in detail.content.decode()  # … but with nothing to save
    assert client.post(change_url, {"action": "export", "detail": "forged"}).status_code == 403
    assert (
        client.post(f"/admin/reviews/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.post(
        "/admin/reviews/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk]}
    ).status_code in (200, 302)
    event.refresh_from_db()
    assert event.detail == "opened" and AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_with_view_permission_sees_the_log(client: Any, django_user_model: Any) -> None:
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user(
        "auditor", password="pw-for-tests-1", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(staff)
    assert client.get("/admin/reviews/auditevent/").status_code == 200
    assert client.get("/admin/reviews/auditevent/add/").status_code == 403
