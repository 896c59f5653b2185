"""Who may see the cancellations page, that it counts the user's own unit
only, and that its query count does not grow with the visits."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from bolots.models import CancelReason, Visit, VisitKind, VisitOutcome
from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot

LOGIN = reverse("accounts:login")
URLS = [reverse("reports:cancellations"), reverse("reports:cancellations") + "?year=2025"]
TZ = ZoneInfo("Europe/Stockholm")

EXPECTED = {
    "case_officer": 403,
    "housing_admin": 403,
    "system_admin": 403,
    "outside_officer": 403,
    "manager": 200,
    "pilot": 200,
    # Any bolots of the unit, assigned to orders or not: the figures are the unit's.
    "second_pilot": 200,
}


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("url", URLS)
def test_status_per_role(client, users, who, url):
    client.force_login(users[who])

    assert client.get(url).status_code == EXPECTED[who]


def test_menu_entry_only_for_those_who_may_see_the_page(client, users):
    for who, status in EXPECTED.items():
        client.force_login(users[who])
        html = client.get(reverse("home") + "?oversikt=1").content.decode()
        assert ('href="/bolots/avbokningar/"' in html) == (status == 200), who


def _cancellation(order, day):
    return VisitFactory(order=order, visited_at=datetime(2026, 3, day, 10, tzinfo=TZ),
                        outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.FEELING_UNWELL,
                        client_age=20)


def test_each_unit_sees_only_its_own_visits(client, unit, other_unit, manager, pilot, second_pilot):
    own = accepted_order(pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    other_pilots = make_pilot(other_unit, "annan1"), make_pilot(other_unit, "annan2")
    other = accepted_order(*other_pilots, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    _cancellation(own, 2)
    for day in range(3, 10):
        _cancellation(other, day)
    other_manager = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])

    def summary_row(user):
        client.force_login(user)
        stats = client.get(reverse("reports:cancellations"), {"year": 2026}).context["summary"]
        return {str(label): figures.cancelled for label, figures in stats}

    assert summary_row(manager)["Alla besök"] == 1
    assert summary_row(other_manager)["Alla besök"] == 7


def _many_visits(order, count):
    """`count` visits spread over 2026, written in one statement."""
    start = datetime(2026, 1, 1, 9, tzinfo=TZ)
    outcomes = [VisitOutcome.DONE, VisitOutcome.NO_SHOW, VisitOutcome.NOBODY_HOME, VisitOutcome.CANCELLED_BY_CLIENT]
    visits = []
    for n in range(count):
        outcome = outcomes[n % len(outcomes)]
        visits.append(Visit(
            order=order, client=order.client, client_age=18 + n % 20, visited_at=start + timedelta(hours=8 * n),
            kind=VisitKind.LOOK_IN, outcome=outcome, active_pilot=order.active_pilot, logged_by=order.active_pilot,
            cancel_reason=CancelReason.FORGOT if outcome == VisitOutcome.CANCELLED_BY_CLIENT else "",
        ))
    Visit.objects.bulk_create(visits)


# Session, user, the user's and the group's permissions, the first year with
# visits, the statistics (one grouped query), the unread notifications, and
# the session's save (with its savepoint and release).
PAGE_QUERIES = 9


@pytest.mark.parametrize("count", [10, 1000])
def test_query_count_does_not_grow_with_the_visits(client, pilot, second_pilot, manager, count,
                                                   django_assert_num_queries):
    order = accepted_order(pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    _many_visits(order, count)
    client.force_login(manager)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("reports:cancellations"), {"year": 2026})

    assert response.status_code == 200
    assert response.context["summary"][2][1].planned == count


def _visits_today(order, count):
    from django.utils import timezone

    moment = timezone.now() - timedelta(minutes=1)
    Visit.objects.bulk_create([
        Visit(order=order, client=order.client, client_age=30, visited_at=moment, kind=VisitKind.LOOK_IN,
              outcome=VisitOutcome.NO_SHOW, active_pilot=order.active_pilot, logged_by=order.active_pilot)
        for _ in range(count)
    ])


def test_the_running_years_figures_are_kept_a_few_minutes_and_say_when_they_were_counted(
        client, pilot, second_pilot, manager, settings):
    from django.utils import timezone

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    order = accepted_order(pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    _visits_today(order, 3)
    client.force_login(manager)
    this_year = timezone.localdate().year

    first = client.get(reverse("reports:cancellations"))
    assert first.context["summary"][2][1].cancelled == 3
    assert "Året är inte slut: siffrorna är preliminära." in first.content.decode()
    assert f"Räknat kl. {timezone.localtime().strftime('%H:')}" in first.content.decode()

    # A visit logged meanwhile shows within the keeping time, not at once;
    # the page then costs one query less (the grouped count over the visits).
    _visits_today(order, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        kept = client.get(reverse("reports:cancellations"), {"year": this_year})
    assert kept.context["summary"][2][1].cancelled == 3
    # Warm: the user, the first year with visits and the unread notifications.
    assert len(queries) == 3
    assert not [q for q in queries.captured_queries if "bolots_visit" in q["sql"] and "GROUP BY" in q["sql"]]

    # The previous year is closed: counted on each request, with no note.
    last_year = Visit.objects.filter(order=order).first()
    last_year.pk, last_year.visited_at = None, datetime(this_year - 1, 6, 1, 10, tzinfo=TZ)
    last_year.save()
    closed = client.get(reverse("reports:cancellations"), {"year": this_year - 1})
    assert closed.context["year"] == this_year - 1
    assert closed.context["summary"][2][1].cancelled == 1
    assert "preliminära" not in closed.content.decode()

    # Turned off (the test settings' 0): counted on each request.
    settings.RUNNING_YEAR_CACHE_SECONDS = 0
    live = client.get(reverse("reports:cancellations"))
    assert live.context["summary"][2][1].cancelled == 5
    assert "preliminära" not in live.content.decode()
