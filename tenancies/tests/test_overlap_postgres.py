"""Two tenancies of one apartment never overlap, in the database itself.

On PostgreSQL the exclusion constraint `tenancies_tenancy_no_overlap`
(migration 0002) refuses an overlapping row however it is written; the
move-in service locks the apartment row so that two simultaneous move-ins
are checked one after the other, and turns a violation of the constraint
into the same Swedish message as its own check.

These tests run in the PostgreSQL pass of `make test`
(DATABASE_URL=postgres:///…); SQLite has no exclusion constraints (there the
service's check is the guard, see test_move_in.py).
"""

import threading
import time
from datetime import date

import pytest
from django.db import IntegrityError, connection, connections, transaction

from audit.context import AuditContext
from referrals.models import Decision
from referrals.tests.factories import ClientFactory
from tenancies.models import Apartment, ApartmentStatus, EndReason, Tenancy
from tenancies.services import tenancies as services
from tenancies.services.moves import move_in
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, TenancyFactory, granted_decision

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="exclusion constraints and row locks exist on PostgreSQL only; the SQLite pass tests the "
        "service's own overlap check (test_move_in.py)",
    ),
]

START = date(2024, 3, 1)
# The message the losing user sees: the same as the service's own check gives.
LET_UNTIL_FURTHER_NOTICE = (
    "Lägenheten är uthyrd 2024-03-01 – tills vidare; hyresförhållanden i samma lägenhet får inte överlappa."
)


def constraint_name(error):
    return error.__cause__.diag.constraint_name


# --- The constraint itself ------------------------------------------------------------


@pytest.mark.django_db
def test_the_exclusion_constraint_rejects_an_overlapping_insert(unit, case_officer):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=date(2023, 12, 31),
                   end_reason=EndReason.OWN_HOUSING)
    stranger = ClientFactory(unit=unit)

    # Behind the service's back: a plain INSERT of a tenancy starting on the
    # previous tenant's move-out day (both ends are inclusive).
    with pytest.raises(IntegrityError) as error:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenancies_tenancy (apartment_id, client_id, start_date, end_reason, end_note, "
                "contract_months, notice_weeks, renews_automatically, is_internal_move, continuous_since, "
                "created_by_id, created_at, version) "
                "VALUES (%s, %s, %s, '', '', 1, 2, true, false, %s, %s, now(), 1)",
                [apartment.pk, stranger.pk, date(2023, 12, 31), date(2023, 12, 31), case_officer.pk],
            )

    assert constraint_name(error.value) == services.OVERLAP_CONSTRAINT
    assert Tenancy.objects.count() == 1


@pytest.mark.django_db
def test_the_constraint_rejects_an_open_tenancy_under_a_later_one(unit):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=date(2025, 1, 1))

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        # An open-ended tenancy from 2020 meets every later one.
        TenancyFactory(apartment=apartment, start_date=date(2020, 1, 1), end_date=None)

    assert constraint_name(error.value) == services.OVERLAP_CONSTRAINT


@pytest.mark.django_db
def test_the_constraint_accepts_adjacent_tenancies_and_other_apartments(unit):
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1), end_date=date(2023, 12, 31),
                   end_reason=EndReason.OWN_HOUSING)

    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2023, 6, 1))

    assert Tenancy.objects.count() == 3


@pytest.mark.django_db
def test_a_violation_of_the_constraint_gets_the_services_message(unit, case_officer, monkeypatch):
    # As if the check had missed the other tenancy: the INSERT reaches the
    # constraint, and the user still gets the clear message, not an error page.
    apartment = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=apartment, start_date=START)
    client = ClientFactory(unit=unit)
    decision = granted_decision(client, decided_on=date(2024, 1, 10))
    monkeypatch.setattr(services, "check_no_overlap", lambda *args, **kwargs: None)

    with pytest.raises(TenancyError) as error:
        move_in(AuditContext(user=case_officer), Tenancy(apartment=apartment, client=client, decision=decision,
                                                         start_date=date(2024, 6, 1)))

    assert error.value.code == "overlap"
    assert error.value.messages[0] == LET_UNTIL_FURTHER_NOTICE
    assert Tenancy.objects.count() == 1
    assert Decision.objects.get(pk=decision.pk).executed_on is None


# --- Two users at the same moment -----------------------------------------------------------


def _simultaneous_move_ins(unit, case_officer):
    """Two case officers' move-ins of two clients into one apartment, for
    overlapping periods, started at the same moment on two connections.
    Returns (results, apartment): each result a tenancy or the exception."""
    apartment = ApartmentFactory(unit=unit)
    clients = [ClientFactory(unit=unit) for _ in range(2)]
    decisions = [granted_decision(client, decided_on=date(2024, 1, 10)) for client in clients]
    starts = [START, date(2024, 3, 15)]
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        try:
            # Django gives each thread its own connection (connections is
            # thread-local); closed in `finally`.
            barrier.wait(timeout=10)
            results[i] = move_in(
                AuditContext(user=case_officer, path=f"/thread-{i}/"),
                Tenancy(apartment=Apartment(pk=apartment.pk), client=clients[i], decision=decisions[i],
                        start_date=starts[i]),
            )
        except Exception as error:  # noqa: BLE001 - reported by the test below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a move-in hung (deadlock?)"
    return results, apartment, decisions


def _assert_one_won(results, apartment, decisions):
    won = [result for result in results if isinstance(result, Tenancy)]
    lost = [result for result in results if not isinstance(result, Tenancy)]
    assert len(won) == 1, f"exactly one move-in must succeed: {results!r}"
    assert len(lost) == 1 and isinstance(lost[0], TenancyError), f"the other gets a TenancyError: {results!r}"
    assert lost[0].code == "overlap"
    assert lost[0].field == "start_date"
    winner = won[0]
    assert lost[0].messages[0] == (
        f"Lägenheten är uthyrd {winner.start_date:%Y-%m-%d} – tills vidare; "
        "hyresförhållanden i samma lägenhet får inte överlappa."
    )
    assert list(Tenancy.objects.values_list("pk", flat=True)) == [winner.pk], "the database holds one tenancy"
    assert Apartment.objects.get(pk=apartment.pk).status == ApartmentStatus.OCCUPIED
    executed = Decision.objects.filter(pk__in=[d.pk for d in decisions], executed_on__isnull=False)
    assert list(executed.values_list("pk", flat=True)) == [winner.decision_id], "only the winner's decision executed"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_move_ins_exactly_one_succeeds(unit, case_officer, monkeypatch):
    # Slow the overlap check down, so that without the lock on the apartment
    # both move-ins would be inside it at once. With the lock the second waits
    # for the first to commit, and its own check then finds the new tenancy.
    real_check = services.check_no_overlap
    refused_by_check = []

    def slow_check(*args, **kwargs):
        time.sleep(0.5)
        try:
            real_check(*args, **kwargs)
        except TenancyError:
            refused_by_check.append(threading.current_thread().name)
            raise

    monkeypatch.setattr(services, "check_no_overlap", slow_check)

    results, apartment, decisions = _simultaneous_move_ins(unit, case_officer)

    _assert_one_won(results, apartment, decisions)
    assert len(refused_by_check) == 1, "the move-ins were not serialised: the loser's check did not see the winner"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_lock_the_constraint_still_lets_only_one_through(unit, case_officer, monkeypatch):
    # Should the lock ever be lost, the database constraint is the last guard,
    # and the loser still gets the same message.
    checked = threading.Barrier(2)
    real_check = services.check_no_overlap

    def check_together(*args, **kwargs):
        real_check(*args, **kwargs)
        checked.wait(timeout=10)  # both have passed the check before either inserts

    def no_lock(*apartments):
        return [Apartment.objects.get(pk=apartment.pk) for apartment in apartments]

    monkeypatch.setattr(services, "check_no_overlap", check_together)
    monkeypatch.setattr(services, "_lock_apartments", no_lock)

    results, apartment, decisions = _simultaneous_move_ins(unit, case_officer)

    _assert_one_won(results, apartment, decisions)
