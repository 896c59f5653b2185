"""Demo risk information on the clients (issue 12, point 5).

Every client takes the risks of their most recent order, by the rule of
data migration referrals 0007 (referrals.models.risks.
apply_latest_order_risks), so the demo looks like an upgraded database;
here as one UPDATE with subqueries (latest_order_risks), because that
function's bulk_update of 37 000 clients built CASE expressions of 2 000
rows each and took over a minute of the national seed (issue 16). Then,
in every unit, one client with an order under way gets a history of
changes: the case officer, then the active bolots, then the passive one
updated the risks (field-history rows as referrals.services.risks writes
them, dated in the past), so "Senast ändrad … av …" and the history page
have something to show.
"""

from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone, translation

from audit.models import FieldChange
from audit.services import display_value
from referrals.models import Client, Order, OrderState
from referrals.models.risks import RISK_FIELDS

from .context import DemoContext

# (days ago, who: "officer" | "active" | "passive", the risk values set)
# Each step changes the notes, so each leaves a row whatever the order said.
HISTORY = (
    (40, "officer", {"risk_substance_use": True, "risk_notes": "Känt alkoholmissbruk."}),
    (12, "active", {"risk_animals": True, "risk_notes": "Känt alkoholmissbruk. Två hundar: ring innan besöket."}),
    (3, "passive", {"risk_threats": True, "risk_notes": "Känt alkoholmissbruk. Två hundar: ring innan besöket. "
                                                      "Hotade grannen i trapphuset."}),
)


def latest_order_risks() -> int:
    """apply_latest_order_risks's rule in one statement: every client with an
    order takes the risk fields of their most recent one (latest sent_at,
    then highest id), stamped with its sending time and case officer.
    Returns the number of clients updated. demo/tests/test_risks_demo.py
    checks it against apply_latest_order_risks."""
    if connection.vendor == "postgresql":
        return _latest_order_risks_postgresql()
    latest = Order.objects.filter(client=OuterRef("pk")).order_by("-sent_at", "-id")

    def of_latest(field):
        return Subquery(latest.values(field)[:1])

    return Client.objects.filter(Exists(Order.objects.filter(client=OuterRef("pk")))).update(
        risk_changed_at=of_latest("sent_at"), risk_changed_by=of_latest("ordered_by"),
        **{name: of_latest(name) for name in RISK_FIELDS},
    )


def _latest_order_risks_postgresql() -> int:
    """The same as one UPDATE … FROM over the latest order of each client
    (DISTINCT ON, one pass over the orders): the subquery form looked the
    latest order up eight times per client, seconds at the national scale."""
    quote = connection.ops.quote_name
    client, order = Client._meta, Order._meta
    columns = [order.get_field(name).column for name in ("sent_at", "ordered_by", *RISK_FIELDS)]
    targets = [client.get_field(name).column for name in ("risk_changed_at", "risk_changed_by", *RISK_FIELDS)]
    client_column = quote(order.get_field("client").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(client.db_table)} AS c SET "
            + ", ".join(f"{quote(target)} = latest.{quote(column)}" for target, column in zip(targets, columns, strict=True))
            + f" FROM (SELECT DISTINCT ON ({client_column}) {client_column}, "
            + ", ".join(quote(column) for column in columns)
            + f" FROM {quote(order.db_table)} WHERE {client_column} IS NOT NULL"
            f" ORDER BY {client_column}, {quote(order.get_field('sent_at').column)} DESC, {quote(order.pk.column)} DESC)"
            f" AS latest WHERE c.{quote(client.pk.column)} = latest.{client_column}"
        )
        return cursor.rowcount


def seed(ctx: DemoContext) -> None:
    count = latest_order_risks()
    ctx.log(f"Riskinformation från senaste uppdraget: {count} klienter")
    for unit in ctx.units:
        order = (
            Order.objects.filter(unit=unit, state__in=OrderState.active_states(), client__isnull=False,
                                 passive_pilot__isnull=False)
            .select_related("client")
            .order_by("pk")
            .first()
        )
        if order is not None:
            _history(order)


def _history(order: Order) -> None:
    client = order.client
    people = {"officer": order.ordered_by_id, "active": order.active_pilot_id, "passive": order.passive_pilot_id}
    now = timezone.now()
    rows = []
    with translation.override("sv"):
        for days_ago, who, values in HISTORY:
            at = now - timedelta(days=days_ago)
            for name, value in values.items():
                old = display_value(client, name)
                setattr(client, name, value)
                new = display_value(client, name)
                if old != new:
                    rows.append(FieldChange(
                        at=at, user_id=people[who], object_type="referrals.client", object_id=str(client.pk),
                        client_id=client.pk, field=name, field_label=str(client._meta.get_field(name).verbose_name),
                        old_value=old, new_value=new,
                    ))
            client.risk_changed_at, client.risk_changed_by_id = at, people[who]
    FieldChange.objects.bulk_create(rows)
    Client.objects.filter(pk=client.pk).update(
        risk_changed_at=client.risk_changed_at, risk_changed_by_id=client.risk_changed_by_id,
        **{name: getattr(client, name) for name in RISK_FIELDS},
    )
