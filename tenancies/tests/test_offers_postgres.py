"""One open offer per apartment under concurrency, on PostgreSQL with two
connections: two case officers offer the same apartment at the same moment;
exactly one offer (and one IVO row) is kept and the other gets the Swedish
message. Once with the service's lock and check, once with the check made
blind so that the partial unique constraint
`tenancies_offer_one_open_per_apartment` is what refuses."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from audit.context import AuditContext
from referrals.models import Offer
from referrals.tests.factories import ClientFactory
from tenancies.models import Apartment, ApartmentOffer
from tenancies.services import offers as services

from .factories import ApartmentFactory, granted_decision

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and two connections: PostgreSQL only"),
]

OPEN_OFFER = (
    "Lägenheten har redan ett öppet erbjudande. Vänta på svaret, eller återkalla erbjudandet, innan lägenheten "
    "erbjuds igen."
)


def _two_offers_at_once(unit, case_officer):
    apartment = ApartmentFactory(unit=unit)
    decisions = [granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10)) for _ in range(2)]
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = services.make_offer(
                AuditContext(user=case_officer, path=f"/thread-{i}/"), Apartment(pk=apartment.pk), decisions[i],
                today, today + timedelta(days=14), today + timedelta(days=7),
            )
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "an offer hung (deadlock?)"
    return results, apartment


def _assert_one_kept(results, apartment):
    won = [result for result in results if isinstance(result, ApartmentOffer)]
    lost = [result for result in results if not isinstance(result, ApartmentOffer)]
    assert len(won) == 1, f"exactly one offer must be made: {results!r}"
    assert len(lost) == 1 and isinstance(lost[0], services.OfferError), f"the other is refused: {results!r}"
    assert lost[0].messages[0] == OPEN_OFFER
    assert list(ApartmentOffer.objects.filter(apartment_id=apartment.pk).values_list("pk", flat=True)) == [won[0].pk]
    # The refused offer's IVO row was rolled back with it.
    assert list(Offer.objects.values_list("pk", flat=True)) == [won[0].ivo_offer_id]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_offers_one_is_kept(unit, case_officer, monkeypatch):
    # Slow the check down: without the apartment's lock both would be inside
    # it at once; with it the second waits and then sees the first.
    real_check = services.check_no_open_offer
    refused_by_check = []

    def slow_check(apartment):
        time.sleep(0.5)
        try:
            real_check(apartment)
        except services.OfferError:
            refused_by_check.append(threading.current_thread().name)
            raise

    monkeypatch.setattr(services, "check_no_open_offer", slow_check)

    results, apartment = _two_offers_at_once(unit, case_officer)

    _assert_one_kept(results, apartment)
    assert len(refused_by_check) == 1, "the offers were not serialised by the apartment's lock"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_constraint_refuses_the_concurrent_second_offer(unit, case_officer, monkeypatch):
    # The check blinded and the lock taken away: both transactions insert at
    # once; the unique index makes the second wait for the first's commit
    # and then refuse it, which the service turns into the same message.
    monkeypatch.setattr(services, "check_no_open_offer", lambda apartment: time.sleep(0.3))
    monkeypatch.setattr(services.rules, "_lock_apartment", lambda apartment: Apartment.objects.get(pk=apartment.pk))

    results, apartment = _two_offers_at_once(unit, case_officer)

    _assert_one_kept(results, apartment)
