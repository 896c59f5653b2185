"""The demo shows one annulled visit and one annulled decision, each a copy
of a record in effect, with who annulled it and why in its history; the
figures leave them out and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command

from audit.models import FieldChange
from bolots.models import Visit
from referrals.models import Decision

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_annulled_visit_and_decision_saved_twice():
    call_command("seed_demo", force=True, stdout=io.StringIO(), scale="small", seed=3)

    for model, twin_fields in ((Visit, ("order_id", "visited_at")), (Decision, ("client_id", "kind", "decided_on"))):
        annulled = model.objects.annulled().get()
        assert annulled.annul_reason == "Registrerat två gånger av misstag."
        assert annulled.annulled_by is not None
        twin = {name: getattr(annulled, name) for name in twin_fields}
        assert model.objects.effective().filter(**twin).count() == 1, "the first one stays in effect"
        assert FieldChange.objects.filter(object_id=str(annulled.pk), field="annul_reason").exists()

    call_command("seed_demo", force=True, stdout=io.StringIO(), scale="small", seed=3)
    assert Visit.objects.annulled().count() == Decision.objects.annulled().count() == 1
