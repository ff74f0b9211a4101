"""The QA review panel and the flagged list name people one way: the full name when the
user has one, else the user name, and "you" in the panel for the viewer."""

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
from dashboard.reviews.selectors import display_name, person
from tests.conftest import allow_contact_details

pytestmark = pytest.mark.django_db

FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"
PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/{FLAGGED_AGENT}/"
SAVE = PAGE + "review/"
FLAGGED = f"/tenants/{DEMO_TENANT_ID}/flagged/"
TAG = re.compile(r"<[^>]+>")
ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)
ASSIGNED = re.compile(r'<td data-label="Assigned to">([^<]*)</td>')


def words(response: Any) -> str:
    """The response's text as read: tags out, entities undone, spaces made one."""
    return " ".join(html.unescape(TAG.sub(" ", response.content.decode())).split())


def panel(response: Any) -> str:
    body = response.content.decode()
    start = body.index('<section id="review"')
    part = body[start : body.index("</section>", start)]
    return " ".join(html.unescape(TAG.sub(" ", part)).split())


def reviewer(django_user_model: Any, username: str, first: str = "", last: str = "") -> Any:
    user = django_user_model.objects.create_user(
        username, password="pw-for-tests-1", first_name=first, last_name=last
    )
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    return allow_contact_details(user)


@pytest.fixture
def carla(django_user_model: Any) -> Any:
    """A reviewer with a name."""
    return reviewer(django_user_model, "carla", "Carla", "Jones")


@pytest.fixture
def bob(django_user_model: Any) -> Any:
    """A reviewer without one."""
    return reviewer(django_user_model, "bob")


def test_one_rule_names_a_person(carla: Any, bob: Any, django_user_model: Any) -> None:
    blank = reviewer(django_user_model, "blank", " ", " ")
    assert display_name(carla) == "Carla Jones"
    assert display_name(bob) == "bob"
    assert display_name(blank) == "blank"
    assert person(carla, bob) == "Carla Jones"
    assert person(carla, carla) == "you"
    assert person(None, carla) == "someone"


def test_the_assignee_and_who_assigned_are_named_alike(
    signed_in: Any, carla: Any, bob: Any
) -> None:
    services.assign(carla, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=bob, version=0)
    shown = panel(signed_in.get(PAGE))
    assert "Assigned to bob by Carla Jones" in shown
    assert "by carla" not in shown

    services.assign(bob, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=carla, version=1)
    shown = panel(signed_in.get(PAGE))
    assert "Assigned to Carla Jones by bob" in shown


def test_the_viewer_is_you_in_the_panel(client: Any, carla: Any, bob: Any) -> None:
    services.assign(carla, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=carla, version=0)
    services.save_review(
        carla, DEMO_TENANT_ID, FLAGGED_AGENT, status="in_review", comment="mine", version=1
    )
    client.force_login(carla)
    shown = panel(client.get(PAGE))
    assert "Assigned to you by you" in shown
    assert "last saved by you" in shown
    assert " · you · In review" in shown
    assert "Carla Jones" not in shown.split("Assign to")[0]  # named only in the choices
    # Another viewer sees her name.
    client.force_login(bob)
    shown = panel(client.get(PAGE))
    assert "Assigned to Carla Jones by Carla Jones" in shown
    assert "last saved by Carla Jones" in shown
    assert " · Carla Jones · In review" in shown


def test_a_conflict_names_who_saved_by_their_full_name(signed_in: Any, carla: Any) -> None:
    services.save_review(
        carla, DEMO_TENANT_ID, FLAGGED_AGENT, status="done", comment="theirs", version=0
    )
    response = signed_in.post(SAVE, {"status": "to_review", "comment": "mine", "version": "0"})
    assert response.status_code == 409
    assert "Saved by Carla Jones (version 1)" in words(response)


def test_a_name_is_escaped_in_the_panel(signed_in: Any, django_user_model: Any) -> None:
    odd = reviewer(django_user_model, "odd", "<b>Ann</b>", "&amp;")
    services.assign(odd, DEMO_TENANT_ID, FLAGGED_AGENT, assignee=odd, version=0)
    body = signed_in.get(PAGE).content.decode()
    assert "<b>Ann</b>" not in body
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp;amp;" in body


def test_the_flagged_list_names_assignees_by_the_same_rule(
    signed_in: Any, carla: Any, bob: Any
) -> None:
    listed = dict(ROW.findall(signed_in.get(FLAGGED).content.decode()))
    first, second = sorted(listed)[:2]
    services.assign(bob, DEMO_TENANT_ID, first, assignee=carla, version=0)
    services.assign(carla, DEMO_TENANT_ID, second, assignee=bob, version=0)
    body = signed_in.get(FLAGGED).content.decode()
    assigned = {
        iid: html.unescape(ASSIGNED.search(inner).group(1))  # type: ignore[union-attr]
        for iid, inner in ROW.findall(body)
    }
    assert assigned[first] == "Carla Jones"
    assert assigned[second] == "bob"
    choices = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', body))
    assert choices[str(carla.pk)] == "Carla Jones"
    assert choices[str(bob.pk)] == "bob"
    table = list(
        csv.reader(
            io.StringIO(signed_in.get(FLAGGED + "export.csv").getvalue().decode("utf-8-sig"))
        )
    )
    column = table[0].index("assigned_to")
    by_id = {r[0]: r for r in table[1:]}
    assert by_id[first][column] == "Carla Jones"
    assert by_id[second][column] == "bob"


def test_two_reviewers_with_one_name_are_told_apart(signed_in: Any, django_user_model: Any) -> None:
    """Two people named "Alex Martin" are offered as "Alex Martin (amartin)" and "Alex
    Martin (alex.martin)" in the assignment list and the flagged list's filter; a name
    nobody else has stays as it is."""
    reviewer(django_user_model, "amartin", "Alex", "Martin")
    reviewer(django_user_model, "alex.martin", "alex", "martin")
    reviewer(django_user_model, "zoe", "Zoe", "Ng")
    page = signed_in.get(PAGE).content.decode()
    options = html.unescape(" ".join(re.findall(r"<option[^>]*>([^<]*)</option>", page)))
    assert "Alex Martin (amartin)" in options and "alex martin (alex.martin)" in options
    assert "Zoe Ng" in options and "Zoe Ng (" not in options
    listed = html.unescape(signed_in.get(FLAGGED).content.decode())
    assert "Alex Martin (amartin)" in listed and "alex martin (alex.martin)" in listed
