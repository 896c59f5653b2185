"""Correcting a visit (issue 12 §6): the visit's bolotsar edit it while the
order is under way, within the same rules as logging it, with field history
and the optimistic lock; an annulled visit is not edited; a correction to
another visit's minute asks first; the order's first attempt follows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from bolots.models import Visit, VisitOutcome
from bolots.services import visits as services
from referrals.models import Order, OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import ChecklistFactory, VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    return accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                          kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS,
                          sent_at=timezone.now() - timedelta(days=10))


def minute(delta):
    return timezone.localtime().replace(second=0, microsecond=0) - delta


@pytest.fixture
def visit(order):
    return VisitFactory(order=order, visited_at=minute(timedelta(days=2)), notes="Första anteckningen.")


def edit_url(visit):
    return reverse("bolots:visit_edit", args=[visit.pk])


def edit_data(visit, pilot, third_pilot, **fields):
    data = visit_form_data(pilot, third_pilot, visited_at=visit.visited_at, notes=visit.notes,
                           cancel_reason="none", version=visit.version, save_anyway="False")
    data.update(fields)
    return data


def test_anonymous_is_sent_to_login(client, visit):
    assert client.get(edit_url(visit))["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ["case_officer", "manager", "housing_admin", "system_admin", "outside_officer"])
def test_wrong_role_gets_403(client, users, visit, role, pilot, third_pilot):
    client.force_login(users[role])

    assert client.get(edit_url(visit)).status_code == 403
    assert client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, notes="X")).status_code == 403
    visit.refresh_from_db()
    assert visit.notes == "Första anteckningen."


def test_a_bolots_who_was_not_there_gets_404(client, second_pilot, visit, pilot, third_pilot):
    client.force_login(second_pilot)

    assert client.get(edit_url(visit)).status_code == 404
    assert client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, notes="X")).status_code == 404


@pytest.mark.parametrize("who", ["pilot", "third_pilot"])
def test_the_visits_bolotsar_correct_it_with_history(client, request, visit, pilot, third_pilot, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(edit_url(visit)).status_code == 200

    response = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, notes="Rättad anteckning.",
                                                      outcome=VisitOutcome.NOBODY_HOME))

    assert response["Location"] == reverse("bolots:visit_detail", args=[visit.pk])
    visit.refresh_from_db()
    assert (visit.notes, visit.outcome, visit.version) == ("Rättad anteckning.", VisitOutcome.NOBODY_HOME, 2)
    changes = {c.field: (c.old_value, c.new_value) for c in FieldChange.objects.filter(object_id=str(visit.pk))}
    assert changes["notes"] == ("Första anteckningen.", "Rättad anteckning.")
    assert "outcome" in changes
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, user=user, object_id=str(visit.pk)).exists()
    page = client.get(reverse("bolots:visit_detail", args=[visit.pk])).content.decode()
    assert "Rättad anteckning." in page and "Ändringshistorik" in page


def test_the_rules_of_logging_apply(client, pilot, third_pilot, visit):
    client.force_login(pilot)

    response = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot,
                                                      outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason="none"))

    assert response.status_code == 200
    assert "Välj orsaken till avbokningen." in response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome == VisitOutcome.DONE


def test_a_stale_form_is_a_conflict_and_keeps_the_input(client, pilot, third_pilot, visit):
    client.force_login(pilot)
    data = edit_data(visit, pilot, third_pilot, notes="Min version.")
    Visit.objects.filter(pk=visit.pk).update(version=2, notes="Någon annans.")

    response = client.post(edit_url(visit), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Min version." in html and "Någon annans." in html
    visit.refresh_from_db()
    assert visit.notes == "Någon annans."


def test_moving_it_onto_another_visits_minute_asks_first(client, pilot, third_pilot, order, visit):
    other = VisitFactory(order=order, visited_at=minute(timedelta(days=1)))
    client.force_login(pilot)

    asked = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, visited_at=other.visited_at))
    html = asked.content.decode()
    assert asked.status_code == 200
    assert 'type="checkbox" name="save_anyway"' in html
    assert reverse("bolots:visit_detail", args=[other.pk]) in html
    visit.refresh_from_db()
    assert visit.visited_at != other.visited_at

    saved = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, visited_at=other.visited_at,
                                                   save_anyway="on"))
    assert saved.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_at == other.visited_at


def test_an_annulled_visit_or_an_ended_order_is_not_edited(client, ctx, pilot, third_pilot, order, visit):
    client.force_login(pilot)
    services.annul_visit(ctx(pilot), visit, "Dubblett.")

    response = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, notes="Ändrad"))

    assert response["Location"] == reverse("bolots:visit_detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.notes == "Första anteckningen."
    fresh = VisitFactory(order=order, visited_at=minute(timedelta(hours=3)))
    Order.objects.filter(pk=order.pk).update(state=OrderState.COMPLETED, completed_at=timezone.now())
    fresh.notes = "Ändrad efteråt"
    with pytest.raises(services.VisitError):
        services.update_visit(ctx(pilot), fresh, expected_version=fresh.version)
    fresh.refresh_from_db()
    assert fresh.notes == ""


def test_a_visit_with_a_checklist_stays_a_done_follow_up(client, pilot, third_pilot, visit):
    ChecklistFactory(visit=visit)
    client.force_login(pilot)

    response = client.post(edit_url(visit), edit_data(visit, pilot, third_pilot, outcome=VisitOutcome.NOBODY_HOME))

    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.outcome == VisitOutcome.DONE


def test_the_orders_first_attempt_follows_a_corrected_time(ctx, pilot, order, visit):
    Order.objects.filter(pk=order.pk).update(first_visit_at=visit.visited_at)
    earlier = minute(timedelta(days=4))
    visit.visited_at = earlier

    services.update_visit(ctx(pilot), visit, expected_version=1)

    order.refresh_from_db()
    assert order.first_visit_at == earlier
