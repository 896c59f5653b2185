"""The "Att göra" section of culling (culling.todo): the list of the user's
unit waiting for approval, for those who may approve it; urgent from the
last month before the deadline; one query."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from culling.models import RunTrigger
from culling.services.runs import approve_run, make_run
from culling.todo import lists_awaiting

from .files import date_back, person

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECTION = "Gallringslistor som väntar på godkännande"


def _today():
    return timezone.localdate()


@pytest.fixture
def run(unit, case_officer):
    """Today's yearly list with one person due since 1 January this year:
    to be culled by 31 December next year, so never urgent on the page."""
    client = person(unit, case_officer, first_name="Attgöra", last_name="Fiktivsson")
    date_back(client.pk, date(_today().year - 5, 1, 1))
    return make_run(AuditContext.system(None, "test"), unit, trigger=RunTrigger.SCHEDULED)


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef2", unit=other_unit, roles=[Role.MANAGER])


def _home(client, user):
    client.force_login(user)
    # ?oversikt=1: a role with a start page of its own (a bolots) still gets
    # the overview with "Att göra".
    response = client.get(reverse("home") + "?oversikt=1")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_goes_to_login(client, run):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_manager_sees_the_waiting_list_with_a_link(client, manager, run):
    page = _home(client, manager)
    assert SECTION in page
    assert f'<a href="/gallring/{run.pk}/">Gallringslista nr {run.pk}</a>' in page
    assert f"1 person ska gallras, senast {_today().year + 1}-12-31" in page
    assert "Fiktivsson" not in page  # the count, not the persons


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_see_no_section(client, request, run, role):
    page = _home(client, request.getfixturevalue(role))
    assert SECTION not in page and f"/gallring/{run.pk}/" not in page


def test_a_manager_of_another_unit_sees_no_list_of_this_unit(client, run, other_manager):
    page = _home(client, other_manager)
    assert SECTION in page and f"/gallring/{run.pk}/" not in page
    assert "Inget att göra här." in page


def test_an_approved_or_superseded_list_leaves_the_section(client, ctx, manager, unit, run):
    newer = make_run(ctx, unit)
    page = _home(client, manager)
    assert f"/gallring/{newer.pk}/" in page and f"/gallring/{run.pk}/" not in page

    approve_run(ctx, newer)
    page = _home(client, manager)
    assert f"/gallring/{newer.pk}/" not in page and "Inget att göra här." in page


def test_urgent_from_the_last_month_before_the_deadline(manager, run, django_assert_num_queries):
    deadline = date(_today().year + 1, 12, 31)

    def items_on(day):
        with django_assert_num_queries(1):
            return lists_awaiting(manager, datetime(day.year, day.month, day.day, 9, tzinfo=STOCKHOLM))

    (item,) = items_on(date(deadline.year, 11, 30))
    assert not item.urgent and item.detail == f"1 person ska gallras, senast {deadline}"
    (item,) = items_on(date(deadline.year, 12, 1))
    assert item.urgent and item.url == f"/gallring/{run.pk}/"
    (item,) = items_on(date(deadline.year + 1, 1, 2))
    assert item.urgent and item.detail == f"1 person ska gallras; sista dagen ({deadline}) har passerat"
