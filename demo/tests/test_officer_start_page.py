"""The demo shows the case officer's start page "Att göra" (issue 12) with
something in its sections, individual plans among them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.todo import sections_for
from referrals.models import IndividualPlan, PlanGoal

pytestmark = pytest.mark.django_db


def test_the_demo_case_officer_has_things_to_do():
    call_command("seed_demo", scale="small", seed=2016, force=True, stdout=StringIO())
    officer = User.objects.get(username="handlaggare")

    sections = {section.key: len(section.items) for section in sections_for(officer, timezone.now())}

    assert set(sections) == {"returned_orders", "first_visits", "signals", "ivo_deadlines", "plan_reviews"}
    for key in ("returned_orders", "first_visits", "signals", "plan_reviews"):
        assert sections[key] >= 1, key
    # The plans are seeded once (demo/plans.py).
    plans = IndividualPlan.objects.count()
    assert plans > 0 and PlanGoal.objects.count() == 2 * plans
    call_command("seed_demo", scale="small", seed=2016, force=True, stdout=StringIO())
    assert IndividualPlan.objects.count() == plans
