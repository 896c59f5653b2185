"""Duplicates and annulment of visits (issue 12 §6): a visit at the same
minute on the same order is not saved until the user confirms; a form sent
twice logs one visit; a visit logged by mistake is annulled with a reason by
one of its bolotsar or the unit's manager, kept in history, and drops out of
the order's first visit attempt and the two-person rule's "first visit"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from bolots.models import Visit, VisitKind, VisitOutcome
from bolots.services import visits as services
from referrals.models import OrderKind
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
TOKEN = "v" * 32


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    return accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                          kind=OrderKind.BOLOTS_SUPPORT, sent_at=timezone.now() - timedelta(days=10))


@pytest.fixture
def as_pilot(client, pilot):
    client.force_login(pilot)
    return client


def create_url(order):
    return reverse("bolots:visit_create", args=[order.pk])


def an_hour_ago():
    return timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)


# --- Likely duplicates ----------------------------------------------------------------


def test_the_same_visit_twice_is_asked_about_naming_and_linking_the_first(as_pilot, order, pilot, third_pilot):
    when = an_hour_ago()
    as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when))
    existing = Visit.objects.get()

    response = as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when,
                                                                notes="Andra gången"))

    html = response.content.decode()
    assert response.status_code == 200
    assert Visit.objects.count() == 1
    assert f"Ett besök {when:%Y-%m-%d %H:%M} är redan registrerat på det här uppdraget" in html
    assert reverse("bolots:visit_detail", args=[existing.pk]) in html
    assert 'type="checkbox" name="save_anyway"' in html
    assert "Andra gången" in html, "the notes typed are kept"


def test_save_anyway_logs_the_second_visit(as_pilot, order, pilot, third_pilot):
    when = an_hour_ago()
    as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when))

    response = as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when,
                                                                save_anyway="on"))

    assert response.status_code == 302
    assert Visit.objects.count() == 2


def test_another_minute_or_an_annulled_visit_is_no_duplicate(ctx, as_pilot, order, pilot, third_pilot):
    when = an_hour_ago()
    first = VisitFactory(order=order, visited_at=when)
    as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when + timedelta(minutes=1)))
    assert Visit.objects.count() == 2

    services.annul_visit(ctx(pilot), first, "Fel tid.")
    response = as_pilot.post(create_url(order), visit_form_data(pilot, third_pilot, visited_at=when))

    assert response.status_code == 302
    assert Visit.objects.effective().count() == 2


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes_ago=st.integers(min_value=1, max_value=60 * 24 * 8),
    kind=st.sampled_from([VisitKind.LOOK_IN, VisitKind.MEETING, VisitKind.QUARTERLY_FOLLOW_UP]),
    outcome=st.sampled_from([VisitOutcome.DONE, VisitOutcome.NO_SHOW, VisitOutcome.NOBODY_HOME]),
    notes=st.text(alphabet="abcåäö ", max_size=20),
)
def test_property_saving_the_same_visit_twice_without_confirming_never_adds_a_row(
    as_pilot, order, pilot, third_pilot, minutes_ago, kind, outcome, notes,
):
    Visit.objects.filter(order=order).delete()
    when = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)
    data = visit_form_data(pilot, third_pilot, visited_at=when, kind=kind, outcome=outcome, notes=notes)

    first = as_pilot.post(create_url(order), data)
    second = as_pilot.post(create_url(order), data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert Visit.objects.filter(order=order).count() == 1


def test_the_same_form_sent_twice_logs_one_visit_and_leads_to_it(as_pilot, order, pilot, third_pilot):
    data = visit_form_data(pilot, third_pilot, visited_at=an_hour_ago(), save_anyway="on", submit_token=TOKEN)

    first = as_pilot.post(create_url(order), data)
    second = as_pilot.post(create_url(order), data, follow=True)

    visit = Visit.objects.get()
    assert first["Location"] == reverse("bolots:visit_detail", args=[visit.pk])
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "Formuläret hade redan skickats och sparats" in second.content.decode()


# --- Annulment: who -------------------------------------------------------------------


@pytest.fixture
def visit(order):
    return VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=2))


def annul_url(visit):
    return reverse("bolots:visit_annul", args=[visit.pk])


REASON = {"annul-reason": "Registrerat två gånger av misstag."}


def test_anonymous_is_sent_to_login(client, visit):
    response = client.post(annul_url(visit), REASON)

    assert response["Location"].startswith(LOGIN)
    assert Visit.objects.effective().count() == 1


@pytest.mark.parametrize("role", ["case_officer", "housing_admin", "system_admin", "outside_officer"])
def test_wrong_role_gets_403(client, users, visit, role):
    client.force_login(users[role])

    assert client.post(annul_url(visit), REASON).status_code == 403
    assert Visit.objects.effective().count() == 1


def test_a_bolots_who_was_not_there_gets_404(client, second_pilot, visit):
    client.force_login(second_pilot)

    assert client.post(annul_url(visit), REASON).status_code == 404
    assert Visit.objects.effective().count() == 1


def test_another_units_manager_gets_404(client, other_unit, visit):
    client.force_login(UserFactory(unit=other_unit, roles=[Role.MANAGER]))

    assert client.post(annul_url(visit), REASON).status_code == 404
    assert Visit.objects.effective().count() == 1


@pytest.mark.parametrize("who", ["pilot", "third_pilot", "manager"])
def test_the_visits_bolotsar_and_the_units_manager_annul(client, request, visit, who):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(annul_url(visit), REASON)

    assert response["Location"] == reverse("bolots:visit_detail", args=[visit.pk])
    visit.refresh_from_db()
    assert (visit.annulled_by, visit.annul_reason) == (user, "Registrerat två gånger av misstag.")
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, note="annulled", user=user).exists()
    assert FieldChange.objects.filter(object_id=str(visit.pk), field="annul_reason").exists()


def test_the_detail_page_offers_annulment_only_to_those_who_may(client, visit, pilot, case_officer):
    client.force_login(case_officer)
    assert annul_url(visit) not in client.get(reverse("bolots:visit_detail", args=[visit.pk])).content.decode()
    client.force_login(pilot)
    assert annul_url(visit) in client.get(reverse("bolots:visit_detail", args=[visit.pk])).content.decode()


# --- Annulment: what -----------------------------------------------------------------------


def test_a_reason_is_required_and_nothing_is_kept_without(as_pilot, visit):
    response = as_pilot.post(annul_url(visit), {"annul-reason": ""})

    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    visit.refresh_from_db()
    assert visit.annulled_at is None


def test_an_annulled_visit_stays_marked_and_is_not_annulled_again(ctx, as_pilot, visit, pilot):
    services.annul_visit(ctx(pilot), visit, "Dubblett.")

    page = as_pilot.get(reverse("bolots:visit_detail", args=[visit.pk])).content.decode()
    assert "Makulerat av" in page and "Dubblett." in page
    assert annul_url(visit) not in page
    with pytest.raises(services.VisitError):
        services.annul_visit(ctx(pilot), visit, "Igen.")
    visit.refresh_from_db()
    assert visit.annul_reason == "Dubblett."


def test_annulling_the_first_attempt_moves_the_orders_first_visit(ctx, order, pilot):
    first = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=3))
    second = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=1), outcome=VisitOutcome.NOBODY_HOME)
    type(order).objects.filter(pk=order.pk).update(first_visit_at=first.visited_at)

    services.annul_visit(ctx(pilot), first, "Fel order.")
    order.refresh_from_db()
    assert order.first_visit_at == second.visited_at

    services.annul_visit(ctx(pilot), second, "Fel order.")
    order.refresh_from_db()
    assert order.first_visit_at is None


def test_an_annulled_done_visit_does_not_make_the_next_one_a_follow_up(order):
    """The two-person rule: until a visit in effect was done, the next one
    is still the first (services.visits.is_first_visit)."""
    done = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=3))
    later = timezone.now() - timedelta(days=1)
    assert not services.is_first_visit(order, later)

    Visit.objects.filter(pk=done.pk).update(annulled_at=timezone.now(), annulled_by=order.active_pilot,
                                            annul_reason="Fel.")

    assert services.is_first_visit(order, later)


def test_the_order_list_of_visits_marks_an_annulled_visit(ctx, as_pilot, visit, pilot, order):
    services.annul_visit(ctx(pilot), visit, "Dubblett.")

    html = as_pilot.get(reverse("bolots:order_visits", args=[order.pk])).content.decode()

    assert "Makulerad" in html


