"""The monthly draw on a hand-built month: which items, which rules, the
sample's size, idempotence, the query count."""

from datetime import date
from unittest import mock

import pytest

from logreview.models import ReviewItem, ReviewMonth, ReviewSettings, RiskRule
from logreview.sampling import draw_month
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory

from .helpers import at, read

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def month(unit, case_officer, outside_officer):
    """Ten ordinary reads by the responsible officer in working hours, one of
    a protected client, one on a Sunday, and a read by another unit's staff."""
    clients = [ClientFactory(unit=unit, responsible_officer=case_officer) for _ in range(10)]
    ordinary = [read(case_officer, client, at(2026, 3, 3 + n % 3, 9 + n % 5)) for n, client in enumerate(clients)]
    protected = ClientFactory(unit=unit, responsible_officer=case_officer,
                              protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    flagged_protected = read(case_officer, protected, at(2026, 3, 10))
    sunday = read(case_officer, clients[0], at(2026, 3, 8, 11))
    read(outside_officer, clients[1], at(2026, 3, 3))
    return {"ordinary": ordinary, "protected": flagged_protected, "sunday": sunday}


def test_draw_adds_every_flagged_read_and_a_sample_of_the_rest(unit, month):
    ReviewSettings.objects.create(unit=unit, sample_size=4)
    review = draw_month(unit, date(2026, 3, 17))
    assert review.month == MARCH
    assert review.reads == 12
    items = {item.entry_id: item for item in review.items.all()}
    assert items[month["protected"].pk].rules == [RiskRule.PROTECTED]
    assert items[month["sunday"].pk].rules == [RiskRule.OFF_HOURS]
    assert not items[month["protected"].pk].sampled
    sampled = [item for item in items.values() if item.sampled]
    assert len(sampled) == 4
    assert {item.entry_id for item in sampled} <= {entry.pk for entry in month["ordinary"]}
    assert all(item.rules == [] for item in sampled)
    assert len(items) == 6
    assert {item.reader_id for item in items.values()} == {month["sunday"].user_id}


def test_a_sample_larger_than_the_month_takes_every_other_read(unit, month):
    ReviewSettings.objects.create(unit=unit, sample_size=50)
    review = draw_month(unit, MARCH)
    assert review.items.filter(sampled=True).count() == 10
    assert review.items.count() == 12


def test_the_sample_is_drawn_with_system_randomness(unit, month):
    with mock.patch("logreview.sampling.secrets.SystemRandom") as system_random:
        system_random.return_value.sample.side_effect = lambda population, k: population[:k]
        review = draw_month(unit, MARCH)
    system_random.assert_called_once_with()
    assert review.items.filter(sampled=True).count() == 10  # the default 20, capped by the month


def test_drawing_twice_draws_once(unit, month):
    first = draw_month(unit, MARCH)
    items = set(first.items.values_list("entry_id", "sampled"))
    read(month["sunday"].user, month["protected"].client_id, at(2026, 3, 28, 23))  # a late-logged row
    second = draw_month(unit, MARCH)
    assert second.pk == first.pk
    assert set(second.items.values_list("entry_id", "sampled")) == items
    assert ReviewMonth.objects.filter(unit=unit).count() == 1


def test_a_draw_racing_another_returns_the_one_that_won(unit, month):
    winner = ReviewMonth.objects.create(unit=unit, month=MARCH, reads=0)
    with mock.patch("logreview.sampling.ReviewMonth.objects.filter") as existing:
        existing.return_value.first.return_value = None  # the other draw committed after our check
        review = draw_month(unit, MARCH)
    assert review.pk == winner.pk
    assert ReviewItem.objects.count() == 0


def test_switched_off_rules_flag_nothing(unit, month):
    ReviewSettings.objects.create(unit=unit, rules=[RiskRule.OFF_HOURS], sample_size=0)
    review = draw_month(unit, MARCH)
    assert list(review.items.values_list("entry_id", "rules")) == [(month["sunday"].pk, ["off_hours"])]


def test_only_an_ended_month_is_drawn(unit):
    from django.utils import timezone

    with pytest.raises(ValueError):
        draw_month(unit, timezone.localdate())
    assert not ReviewMonth.objects.exists()


def test_an_empty_month_is_drawn_with_no_items(unit):
    review = draw_month(unit, MARCH)
    assert review.reads == 0
    assert not review.items.exists()


def test_the_draw_query_count_does_not_grow_with_the_reads(unit, case_officer, django_assert_max_num_queries):
    # The existing review, the settings, the rules' eight (test_rules), then
    # the review and its items inside a savepoint (savepoint, two inserts,
    # release); at most, as a fact no rule asks about is not read. Items are inserted in batches (on SQLite of 76 rows, its
    # parameter limit), so the months here stay under one batch.
    clients = [ClientFactory(unit=unit, responsible_officer=case_officer) for _ in range(3)]
    for client in clients:
        read(case_officer, client, at(2026, 2, 3))
    with django_assert_max_num_queries(14):
        draw_month(unit, date(2026, 2, 1))
    for day in range(2, 28):
        for client in clients:
            read(case_officer, client, at(2026, 3, day, 12))
    with django_assert_max_num_queries(14):
        review = draw_month(unit, MARCH)
    assert review.reads == 78
    assert review.items.count() > 20  # the weekend reads and the sample of 20
