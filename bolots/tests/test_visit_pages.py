"""The visit pages: who reaches which (anonymous → login, wrong role → 403,
outsider → 404), what the form and the lists show, notes only to those who
may see the client, the access log, and the lists' query counts."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from bolots.models import ChecklistAnswer, Visit, VisitKind, VisitOutcome
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot

from .factories import ChecklistFactory, VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ROLES = ["case_officer", "manager", "pilot", "second_pilot", "housing_admin", "system_admin", "outside_officer"]

# Expected GET status per (url name, role). The order is accepted with
# `pilot` and a third bolots; `second_pilot` is a bolots of the unit who is
# not assigned. Case officers and managers read visits but do not log them.
EXPECTED = {
    "visit_create": dict(zip(ROLES, [403, 403, 200, 404, 403, 403, 403], strict=True)),
    "order_visits": dict(zip(ROLES, [200, 200, 200, 404, 403, 403, 404], strict=True)),
    "client_visits": dict(zip(ROLES, [200, 200, 200, 404, 403, 403, 404], strict=True)),
    "visit_detail": dict(zip(ROLES, [200, 200, 200, 404, 403, 403, 404], strict=True)),
    "signal_list": dict(zip(ROLES, [200, 200, 403, 403, 403, 403, 200], strict=True)),
}
# POST of a complete, valid visit: only an assigned bolots logs it.
EXPECTED_POST = dict(zip(ROLES, [403, 403, 302, 404, 403, 403, 403], strict=True))


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    return accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                          kind=OrderKind.SINGLE_ERRAND, risk_violence=True, risk_notes="Hund i lägenheten",
                          sent_at=timezone.now() - timedelta(days=10))


@pytest.fixture
def visit(order):
    visit = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=5),
                         notes="Pratade om budgeten och skulden till elbolaget.")
    ChecklistFactory(visit=visit, rent_paid=ChecklistAnswer.NO, rent_comment="Kvitto saknas")
    return visit


def url_for(name, order, visit):
    if name in ("visit_create", "order_visits"):
        return reverse(f"bolots:{name}", args=[order.pk])
    if name == "client_visits":
        return reverse("bolots:client_visits", args=[order.client_id])
    if name == "visit_detail":
        return reverse("bolots:visit_detail", args=[visit.pk])
    return reverse(f"bolots:{name}")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_anonymous_is_sent_to_login(client, order, visit, name):
    response = client.get(url_for(name, order, visit))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_anonymous_cannot_post_a_visit(client, order, pilot, third_pilot):
    response = client.post(url_for("visit_create", order, None), visit_form_data(pilot, third_pilot))

    assert response["Location"].startswith(LOGIN)
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_status_per_role(client, users, order, visit, who, name):
    client.force_login(users[who])

    assert client.get(url_for(name, order, visit)).status_code == EXPECTED[name][who]


@pytest.mark.parametrize("who", ROLES)
def test_only_an_assigned_bolots_logs_a_visit(client, users, order, third_pilot, who):
    client.force_login(users[who])

    response = client.post(url_for("visit_create", order, None), visit_form_data(users["pilot"], third_pilot))

    assert response.status_code == EXPECTED_POST[who]
    assert Visit.objects.count() == (1 if EXPECTED_POST[who] == 302 else 0)


def test_the_passive_bolots_of_the_order_logs_too(client, order, pilot, third_pilot):
    client.force_login(third_pilot)

    response = client.post(url_for("visit_create", order, None), visit_form_data(third_pilot, pilot))

    assert response.status_code == 302


def test_the_units_queue_is_not_open_for_visits(client, unit, case_officer, pilot):
    queued = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, state=OrderState.SENT)
    client.force_login(pilot)

    assert client.get(reverse("bolots:visit_create", args=[queued.pk])).status_code == 404
    assert client.get(reverse("bolots:order_visits", args=[queued.pk])).status_code == 404


def test_a_completed_order_sends_the_bolots_back_to_the_order(client, order, pilot):
    order.state = OrderState.COMPLETED
    order.completed_at = timezone.now()
    order.save()
    client.force_login(pilot)

    response = client.get(url_for("visit_create", order, None), follow=True)

    assert response.redirect_chain[-1][0] == reverse("referrals:order_detail", args=[order.pk])
    assert "Besök kan bara registreras på ett accepterat eller påbörjat uppdrag." in response.content.decode()


def test_the_form_starts_with_the_risks_and_sensible_defaults(client, order, pilot, third_pilot, client_record):
    client.force_login(pilot)

    response = client.get(url_for("visit_create", order, None))

    html = response.content.decode()
    assert html.index("Riskinformation") < html.index('name="visited_at"')
    assert "Våld i nära relation" in html and "Hund i lägenheten" in html
    assert client_record.full_name in html
    form = response.context["form"]
    assert form.initial["active_pilot"] == pilot.pk
    assert form.initial["passive_pilot"] == third_pilot.pk
    assert form.initial["outcome"] == VisitOutcome.DONE
    assert abs(form.initial["visited_at"] - timezone.now()) < timedelta(minutes=2)
    # The choices are large buttons, under a legend each.
    assert html.count('class="btn-check"') >= 5 + 5 + 7 + 4 * 3
    row = AccessLogEntry.objects.get(object_type="referrals.order")
    assert (row.action, row.client_id) == (AccessAction.VIEW, client_record.pk)


def test_a_passive_bolots_gets_the_active_one_as_the_other(client, order, pilot, third_pilot):
    client.force_login(third_pilot)

    form = client.get(url_for("visit_create", order, None)).context["form"]

    assert (form.initial["active_pilot"], form.initial["passive_pilot"]) == (third_pilot.pk, pilot.pk)


def test_logging_leads_to_the_visit(client, order, pilot, third_pilot, client_record):
    client.force_login(pilot)

    response = client.post(url_for("visit_create", order, None), visit_form_data(
        pilot, third_pilot, kind=VisitKind.ESCORT, notes="Följde med till vårdcentralen."
    ), follow=True)

    visit = Visit.objects.get()
    assert response.redirect_chain[-1][0] == reverse("bolots:visit_detail", args=[visit.pk])
    html = response.content.decode()
    assert "Besöket är registrerat." in html
    assert "Följde med till vårdcentralen." in html
    assert (visit.kind, visit.client, visit.logged_by) == (VisitKind.ESCORT, client_record, pilot)


def test_a_refused_form_keeps_what_was_typed(client, order, pilot):
    client.force_login(pilot)

    response = client.post(url_for("visit_create", order, None),
                           visit_form_data(pilot, notes="Lång anteckning som inte får försvinna."))

    assert response.status_code == 200
    assert "Lång anteckning som inte får försvinna." in response.content.decode()
    assert "Inget är sparat än." in response.content.decode()


def test_the_detail_shows_the_visit_its_checklist_and_notes(client, visit, case_officer):
    client.force_login(case_officer)

    response = client.get(url_for("visit_detail", None, visit))

    html = response.content.decode()
    assert "Pratade om budgeten" in html
    assert "Kvitto saknas" in html
    assert "Hyran betald (kvitto sett)" in html
    assert '<strong class="text-danger-emphasis checklist-no">Nej</strong>' in html
    row = AccessLogEntry.objects.get(object_type="bolots.visit")
    assert (row.action, row.object_id, row.client_id) == (AccessAction.VIEW, str(visit.pk), visit.client_id)


def test_notes_follow_the_client_file_when_the_order_is_over(client, order, visit, pilot, settings):
    # Once the order is completed the client's record is closed to the
    # bolots; their own notes stay readable for BOLOTS_OWN_NOTES_DAYS (to
    # finish the documentation), then nothing is.
    order.state = OrderState.COMPLETED
    order.completed_at = timezone.now() - timedelta(days=settings.BOLOTS_OWN_NOTES_DAYS + 1)
    order.save()
    client.force_login(pilot)

    for name in ("visit_detail", "order_visits"):
        response = client.get(url_for(name, order, visit))
        assert response.status_code == 404
        assert "Pratade om budgeten" not in response.content.decode()
    assert client.get(url_for("client_visits", order, visit)).status_code == 404


def test_the_lists_show_the_notes_and_the_failing_items(client, order, visit, case_officer):
    client.force_login(case_officer)

    for name in ("order_visits", "client_visits"):
        html = client.get(url_for(name, order, visit)).content.decode()
        assert "Pratade om budgeten" in html
        assert "Inte i ordning:</strong> hyran betald (kvitto sett)" in html


def test_the_list_pages_are_in_the_access_log(client, order, visit, case_officer):
    client.force_login(case_officer)

    client.get(url_for("order_visits", order, visit))
    client.get(url_for("client_visits", order, visit))

    rows = AccessLogEntry.objects.filter(action=AccessAction.VIEW).order_by("id")
    assert [(row.object_type, row.client_id) for row in rows] == [
        ("referrals.order", order.client_id), ("referrals.client", order.client_id)
    ]


def test_a_bolots_sees_only_the_visits_of_their_own_orders_of_a_client(
    client, unit, order, visit, pilot, second_pilot, third_pilot, case_officer
):
    other = accepted_order(second_pilot, third_pilot, client=order.client, ordered_by=case_officer,
                           sent_at=timezone.now() - timedelta(days=10))
    VisitFactory(order=other, visited_at=timezone.now() - timedelta(days=2), notes="Annan bolots anteckning")
    client.force_login(pilot)

    html = client.get(url_for("client_visits", order, visit)).content.decode()

    assert "Pratade om budgeten" in html
    assert "Annan bolots anteckning" not in html


def test_the_client_page_has_a_visits_tab(client, order, case_officer, housing_admin):
    client.force_login(case_officer)
    html = client.get(reverse("referrals:client_detail", args=[order.client_id])).content.decode()

    assert f'href="{reverse("bolots:client_visits", args=[order.client_id])}">Besök</a>' in html


@pytest.fixture
def many_visits(order, request):
    for i in range(request.param):
        visit = VisitFactory(order=order, visited_at=at(2026, 1, 1, 10, 0) + timedelta(days=i),
                             outcome=VisitOutcome.CANCELLED_BY_CLIENT if i % 3 == 0 else VisitOutcome.DONE,
                             cancel_reason="forgot" if i % 3 == 0 else "")
        if i % 3 == 1:
            ChecklistFactory(visit=visit)
    return order


@pytest.mark.parametrize("many_visits", [3, 30], indirect=True)
def test_order_visits_query_count(client, case_officer, many_visits, django_assert_num_queries):
    client.force_login(case_officer)

    # Base page 8 + the order + its access-log row + count and page of visits
    # + where to go (one query, issue 12 §2) = 14
    with django_assert_num_queries(13):
        response = client.get(reverse("bolots:order_visits", args=[many_visits.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("many_visits", [3, 30], indirect=True)
def test_client_visits_query_count(client, pilot, many_visits, django_assert_num_queries):
    client.force_login(pilot)

    # Base page 8 + the client + its access-log row + count and page of visits = 12
    with django_assert_num_queries(12):
        response = client.get(reverse("bolots:client_visits", args=[many_visits.client_id]))

    assert response.status_code == 200
