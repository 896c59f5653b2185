"""Individual plans: preset goals, review dates in calendar months, and who
sees which reviews are due."""

from datetime import date, timedelta

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import IndividualPlan
from referrals.services import plans as services
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import PlanFactory

pytestmark = pytest.mark.django_db



def test_a_new_plan_has_the_two_preset_goals_and_a_review_in_three_months(ctx, client_record):
    plan = services.create_plan(ctx, client_record, date(2025, 11, 30))

    # 30 November + 3 calendar months: the last day of February.
    assert plan.next_review_on == date(2026, 2, 28)
    assert list(plan.goals.values_list("preset", "text")) == [
        ("own_housing", "Eget boende på den ordinarie bostadsmarknaden"),
        ("self_sufficiency", "Egen försörjning"),
    ]
    assert plan.created_by == ctx.user
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.client_id, entry.object_type) == (
        AccessAction.CREATE, client_record.pk, "referrals.individualplan",
    )


def test_one_plan_per_client(ctx, client_record):
    services.create_plan(ctx, client_record, date(2025, 1, 15))

    with pytest.raises(services.PlanError):
        services.create_plan(ctx, client_record, date(2025, 2, 1))
    assert IndividualPlan.objects.count() == 1


def test_a_review_sets_the_next_one_three_months_later_with_history(ctx, client_record):
    plan = services.create_plan(ctx, client_record, date(2025, 1, 15))
    assert plan.next_review_on == date(2025, 4, 15)

    services.record_review(ctx, plan, date(2025, 4, 20), "Går bra")

    plan.refresh_from_db()
    assert plan.next_review_on == date(2025, 7, 20)
    change = FieldChange.objects.get(field="next_review_on")
    assert (change.old_value, change.new_value) == ("2025-04-15", "2025-07-20")


def test_a_late_entered_earlier_review_does_not_move_the_next_review_back(ctx, client_record):
    plan = services.create_plan(ctx, client_record, date(2025, 1, 15))
    services.record_review(ctx, plan, date(2025, 7, 1))

    services.record_review(ctx, plan, date(2025, 4, 10))

    plan.refresh_from_db()
    assert plan.next_review_on == date(2025, 10, 1)
    assert plan.reviews.count() == 2


def test_a_review_before_the_plan_is_refused(ctx, client_record):
    plan = services.create_plan(ctx, client_record, date(2025, 1, 15))

    with pytest.raises(services.PlanError):
        services.record_review(ctx, plan, date(2025, 1, 14))
    assert plan.reviews.count() == 0


def test_goals_and_actions(ctx, client_record):
    plan = services.create_plan(ctx, client_record, date(2025, 1, 15))
    goal = services.add_goal(ctx, plan, "  Betala hyran i tid  ")
    action = services.add_action(ctx, plan, "Ansöka om bostad", "Klienten med bolots", date(2025, 3, 1))

    services.mark_goal_achieved(ctx, goal, date(2025, 6, 1))
    services.mark_action_done(ctx, action, date(2025, 2, 20))

    goal.refresh_from_db()
    action.refresh_from_db()
    assert (goal.text, goal.achieved_on) == ("Betala hyran i tid", date(2025, 6, 1))
    assert action.done_on == date(2025, 2, 20)
    with pytest.raises(services.PlanError):
        services.mark_action_done(ctx, action, date(2025, 2, 21))
    with pytest.raises(services.PlanError):
        services.mark_goal_achieved(ctx, plan.goals.first(), date(2025, 1, 1))


def test_reviews_due_for_a_case_officer_are_their_own_clients(unit, other_unit, case_officer, manager):
    today = date(2025, 6, 1)
    colleague = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    mine_overdue = PlanFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer),
                               next_review_on=today - timedelta(days=3))
    mine_soon = PlanFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer),
                            next_review_on=today + timedelta(days=14))
    PlanFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer),
                next_review_on=today + timedelta(days=15))  # not yet due
    colleagues = PlanFactory(client=ClientFactory(unit=unit, responsible_officer=colleague),
                             next_review_on=today)
    PlanFactory(client=ClientFactory(unit=other_unit), next_review_on=today)

    assert list(services.reviews_due(case_officer, today)) == [mine_overdue, mine_soon]
    # A manager sees the unit's, most overdue first.
    assert list(services.reviews_due(manager, today)) == [mine_overdue, colleagues, mine_soon]
