"""The demo data of the referrals app at the small scale: the kinds of
records in the proportions of the 2018 evaluation, the rules the real data
obeys, and a second run that adds nothing."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q

from core.calendar import last_day_within
from referrals.models import (
    Client,
    ConcernReport,
    ContactAttempt,
    Decision,
    DecisionKind,
    EvictionNotice,
    NoticeOutcome,
    NoticeSource,
    Order,
    OrderEvent,
    OrderKind,
    OrderState,
)
from referrals.models.decisions import GRANTED_OUTCOMES, REPORTING_MONTHS

MODELS = (Client, Decision, Order, OrderEvent, EvictionNotice, ContactAttempt, ConcernReport)


def seed(seed=2016):
    call_command("seed_demo", scale="small", seed=seed, force=True, stdout=StringIO())


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def per_year(queryset, field):
    return dict(queryset.values_list(f"{field}__year").annotate(n=Count("id", distinct=True)))


@pytest.fixture
def seeded(db):
    seed()
    return date.today().year - 1  # the last full year


def test_small_scale_has_each_kind_in_the_evaluations_proportions(seeded):
    year = seeded
    granted = Decision.objects.filter(outcome__in=GRANTED_OUTCOMES)
    # About 57 bolots decisions, 46 outreach and 8 eviction-prevention
    # orders, 15 notices (8 with an order), 3 evictions a year; ±25 %.
    assert 43 <= per_year(granted.filter(kind=DecisionKind.BOLOTS_SUPPORT), "decided_on")[year] <= 71
    orders = Order.objects.filter(sent_at__year=year)
    assert 35 <= orders.filter(kind=OrderKind.OUTREACH).count() <= 58
    assert 5 <= orders.filter(kind=OrderKind.EVICTION_PREVENTION).count() <= 11
    notices = EvictionNotice.objects.filter(received_on__year=year)
    assert 11 <= notices.count() <= 19
    assert 5 <= notices.filter(orders__isnull=False).distinct().count() <= 11
    assert 4 <= notices.filter(source=NoticeSource.ENFORCEMENT_APPLICATION).count() <= 8
    assert 2 <= notices.filter(outcome=NoticeOutcome.EVICTED).count() <= 4
    assert 35 <= ConcernReport.objects.filter(received_on__year=year).count() <= 65
    assert ContactAttempt.objects.filter(notice__received_on__year=year).count() >= notices.count()
    # Every year since 2016 has casework.
    assert set(per_year(Decision.objects, "decided_on")) == set(range(2016, date.today().year + 1))


def test_at_most_one_decision_a_year_is_executed_late(seeded):
    late = Counter()
    # Annulled decisions are not decisions (corrections.seed annuls a
    # duplicate), and the person without a Swedish number waits on purpose:
    # IVO's individual report with a T code (clients.seed_without_number).
    decisions = Decision.objects.filter(outcome__in=GRANTED_OUTCOMES).effective().exclude(client__personal_number="")
    for decision in decisions:
        due = last_day_within(decision.decided_on, REPORTING_MONTHS)
        waiting_too_long = decision.executed_on is None and decision.closed_on is None and due < date.today()
        if waiting_too_long or (decision.executed_on and decision.executed_on > due):
            late[decision.decided_on.year] += 1
    assert all(count <= 1 for count in late.values()), late
    assert sum(late.values()) >= 1, "some year shows one, as in the evaluation"


def test_every_training_decision_has_bolots_support_covering_it(seeded):
    training = Decision.objects.filter(kind=DecisionKind.TRAINING_APARTMENT, outcome__in=GRANTED_OUTCOMES)
    assert training.count() >= 8 * 10
    for decision in training:
        assert Decision.objects.filter(
            client=decision.client, kind=DecisionKind.BOLOTS_SUPPORT, outcome__in=GRANTED_OUTCOMES,
            valid_from__lte=decision.valid_from, valid_to__gte=decision.valid_to,
        ).exists(), decision


def test_orders_are_in_every_state_with_two_pilots_once_accepted(seeded):
    assert set(Order.objects.values_list("state", flat=True)) == set(OrderState.values)
    taken_on = Order.objects.filter(state__in=[OrderState.ACCEPTED, OrderState.IN_PROGRESS, OrderState.COMPLETED])
    assert not taken_on.filter(Q(active_pilot__isnull=True) | Q(passive_pilot__isnull=True)).exists()
    assert not taken_on.filter(active_pilot=F("passive_pilot")).exists()
    assert not taken_on.exclude(active_pilot__unit=F("unit")).exists()
    assert not taken_on.exclude(passive_pilot__unit=F("unit")).exists()
    # Every order has its history, starting with being sent.
    assert not Order.objects.filter(events__isnull=True).exists()
    assert OrderEvent.objects.filter(transition=OrderEvent.Transition.SENT).count() == Order.objects.count()


def test_outreach_reaches_unregistered_people_and_mostly_within_48_hours(seeded):
    outreach = Order.objects.filter(kind=OrderKind.OUTREACH)
    assert outreach.filter(client__isnull=True).exclude(subject_name="", subject_address="").exists()
    assert outreach.filter(client__isnull=False).exists()
    visited = Order.objects.filter(kind__in=OrderKind.with_48_hour_rule(), first_visit_at__isnull=False)
    in_time = visited.filter(first_visit_at__lte=F("first_visit_due_at")).count()
    assert 0.75 <= in_time / visited.count() < 1, "most in time, a few late"


def test_derived_fields_are_set_although_bulk_create_skips_save(seeded):
    for decision in Decision.objects.all():
        assert decision.execution_due_by == last_day_within(decision.decided_on, REPORTING_MONTHS)
    for notice in EvictionNotice.objects.all():
        assert notice.pay_by_date == notice.compute_pay_by_date()
    rule = Order.objects.filter(kind__in=OrderKind.with_48_hour_rule())
    assert rule.exists()
    for order in rule:
        assert (order.first_visit_due_at - order.sent_at).total_seconds() == 48 * 3600
    assert not Order.objects.exclude(kind__in=OrderKind.with_48_hour_rule()).filter(first_visit_due_at__isnull=False).exists()


def test_a_second_run_adds_nothing(seeded):
    before = counts()

    seed()

    assert counts() == before


def fingerprint():
    return (
        list(Decision.objects.order_by("id").values_list("decided_on", "kind", "outcome", "client__personal_number")),
        list(EvictionNotice.objects.order_by("id").values_list("received_on", "source", "amount_owed", "children_count")),
        list(ConcernReport.objects.order_by("id").values_list("received_on", "reporter", "subject_name")),
        list(Order.objects.order_by("id").values_list("kind", "client__personal_number", "subject_name")),
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_casework():
    def casework_for(seed_value):
        with transaction.atomic():
            seed(seed_value)
            result = fingerprint()
            transaction.set_rollback(True)
        return result

    assert casework_for(7) == casework_for(7)
    assert casework_for(7) != casework_for(8)


def test_demo_decisions_are_made_under_the_act_in_force_on_their_date(seeded):
    # SFS 2025:400 replaced 2001:453 on 1 July 2025 (docs/ivo.md "Legal references").
    change = date(2025, 7, 1)
    before, after = Decision.objects.filter(decided_on__lt=change), Decision.objects.filter(decided_on__gte=change)

    assert before.exists() and after.exists()
    assert set(before.values_list("legal_basis__law", flat=True)) == {"Socialtjänstlagen (2001:453)"}
    assert set(after.values_list("legal_basis__law", flat=True)) == {"Socialtjänstlagen (2025:400)"}
