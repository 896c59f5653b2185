"""The demo's narrative texts (demo/chain/narrative.py): the last closed
year final and free of personal data whatever the demo clients are called,
a draft for the running year, one delegate told by a notification, and a
second run adds nothing."""

from datetime import date
from itertools import product
from random import Random

import pytest

from accounts.models import Notification
from accounts.roles import Role
from demo.chain import narrative
from demo.context import DemoContext
from demo.names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES
from reports.models import NarrativeDelegate, NarrativeText
from reports.narrative_check import NameIndex
from reports.services.narrative import pdf_texts

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 15)


def test_closed_year_final_running_year_draft_one_delegate_and_idempotent(unit, manager, case_officer):
    ctx = DemoContext(rng=Random(1), scale="small", today=TODAY, sizes={}, units=[unit],
                      users_by_unit={unit.pk: {Role.MANAGER: [manager], Role.CASE_OFFICER: [case_officer]}},
                      log=lambda message: None)
    narrative.seed(ctx)
    narrative.seed(ctx)
    assert NarrativeText.objects.filter(year=2025, state="final").count() == 5
    assert list(NarrativeText.objects.filter(year=2026).values_list("section", "state")) == [("background", "draft")]
    assert NarrativeDelegate.objects.get().user == case_officer
    assert Notification.objects.filter(user=case_officer).count() == 1
    printed = pdf_texts(2025, unit)
    assert len(printed["background"]) == 2
    assert printed["ordering_views"]["paragraphs"] and printed["providing_views"]["paragraphs"]
    assert printed["improvements"]["paragraphs"] and printed["proposals"]["paragraphs"]
    # No demo client's name can be in them (every first name with every last name).
    index = NameIndex(product(FIRST_NAMES_FEMALE + FIRST_NAMES_MALE, LAST_NAMES))
    for text in NarrativeText.objects.all():
        assert not index.contains_name(text.text), text.section
