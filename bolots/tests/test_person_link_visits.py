"""An outreach order's visits follow its client when the subject is linked
to a client file, and revert when the link is undone
(bolots.person_links, referrals.services.person_matching)."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from bolots.models import Visit
from bolots.person_links import NOTE_FOLLOWED
from bolots.tests.factories import SignalFactory, VisitFactory
from referrals.services import person_matching as matching
from referrals.tests.factories import ClientFactory, fictional_number
from referrals.tests.factories_orders import accepted_order


@pytest.fixture
def order(unit, case_officer, pilot, second_pilot):
    return accepted_order(pilot, second_pilot, kind="outreach", client=None, ordered_by=case_officer,
                          subject_name="Kalle, man i 50-årsåldern", subject_address="Storgatan 7")


@pytest.fixture
def person(unit):
    # Born 2004-03-14: 21 on the visit day below (a young adult in the statistics).
    return ClientFactory(unit=unit, personal_number=fictional_number(5, birth_date=date(2004, 3, 14)))


def _visit(order, day):
    return VisitFactory(order=order, client=None, visited_at=timezone.make_aware(datetime(*day, 10, 0)))


def test_visits_follow_the_link_and_revert_when_it_is_undone(ctx, order, person):
    first, second = _visit(order, (2026, 3, 2)), _visit(order, (2026, 3, 9))

    link = matching.link_same_person(ctx, person, order=order, reason="Identifierad")

    stored = list(Visit.objects.filter(pk__in=[first.pk, second.pk]).values_list("client_id", "client_age"))
    assert stored == [(person.pk, 21), (person.pk, 21)]
    assert AccessLogEntry.objects.filter(object_type="bolots.visit", note=NOTE_FOLLOWED).count() == 2

    matching.unlink(ctx, link, "Fel person")

    stored = list(Visit.objects.filter(pk__in=[first.pk, second.pk]).values_list("client_id", "client_age"))
    assert stored == [(None, None), (None, None)]
    assert AccessLogEntry.objects.filter(object_type="bolots.visit", note=NOTE_FOLLOWED).count() == 4


def test_the_order_step_link_also_brings_the_visits(ctx, order, person):
    from referrals.services.orders import link_order_to_client

    visit = _visit(order, (2026, 3, 2))

    link_order_to_client(ctx, order, person)

    visit.refresh_from_db()
    assert visit.client_id == person.pk


def test_a_visit_logged_after_the_link_keeps_the_link(ctx, order, person):
    link = matching.link_same_person(ctx, person, order=order)
    VisitFactory(order=order, client=person)  # logged knowing who the person is

    with pytest.raises(matching.LinkRefused, match="Besök har registrerats"):
        matching.unlink(ctx, link, "Fel person")
    order.refresh_from_db()
    assert order.client_id == person.pk


def test_a_signal_from_the_orders_visits_keeps_the_link(ctx, order, person, case_officer):
    visit = _visit(order, (2026, 3, 2))
    link = matching.link_same_person(ctx, person, order=order)
    visit.refresh_from_db()
    SignalFactory(client=person, visit=visit, recipient=case_officer)

    assert matching.unlink_blockers(link)
    with pytest.raises(matching.LinkRefused):
        matching.unlink(ctx, link, "Fel person")
