"""The demo's one-statement risk update (demo.risks.latest_order_risks)
gives every client exactly what the migration's rule
(referrals.models.risks.apply_latest_order_risks) gives."""

import io

import pytest
from django.core.management import call_command
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Concat

from demo.risks import latest_order_risks
from referrals.models import Client, Order
from referrals.models.risks import RISK_FIELDS, apply_latest_order_risks

FIELDS = ("pk", "risk_changed_at", "risk_changed_by_id", *RISK_FIELDS)


def _risks():
    return list(Client.objects.order_by("pk").values_list(*FIELDS))


def _cleared():
    Client.objects.update(risk_changed_at=None, risk_changed_by=None, risk_animals=False, risk_substance_use=False,
                          risk_violence=False, risk_children=False, risk_threats=False, risk_notes="")


@pytest.mark.django_db
def test_the_demo_update_gives_every_client_the_risks_of_the_migration_rule():
    call_command("seed_demo", scale="small", seed=3, force=True, stdout=io.StringIO())
    # Clients with several orders whose risks differ: the latest one must win.
    several = Client.objects.annotate(n=Count("orders")).filter(n__gt=1)
    assert several.exists()
    # Every order's notes its own, so the notes tell which order a client took.
    Order.objects.update(risk_notes=Concat(Value("order "), Cast("id", CharField())))

    _cleared()
    updated = latest_order_risks()
    by_statement = _risks()
    _cleared()
    by_rule = apply_latest_order_risks(Client, Order)

    assert updated == by_rule == Client.objects.filter(orders__isnull=False).distinct().count()
    assert by_statement == _risks()
    # Something was set, and clients without orders were left alone.
    assert any(row[1] is not None for row in by_statement)
    assert any(row[1] is None for row in by_statement)
