"""Risk information: what a bolots must know before the door opens
(animals, substance use, violence in close relationships, children,
threats). It belongs to the client (Client.risk_*), edited through
referrals.services.risks with field history; an order keeps the snapshot it
was sent with (Order.risk_*), which is what the provider was told."""

# The flags, in the order they are shown. The same names on Client and Order
# (referrals.models.orders.RISK_FIELDS), so the risk templates
# (templates/referrals/includes/current_risk.html) and the risks_compact tag
# (referrals/templatetags/risks.py) show either.
RISK_FLAGS = ("risk_animals", "risk_substance_use", "risk_violence", "risk_children", "risk_threats")
# Everything a risk update writes and the change history keeps.
RISK_FIELDS = (*RISK_FLAGS, "risk_notes")


class RiskInformation:
    """`risks` and `has_risk` for a record with the risk fields (the client);
    the same interface as Order's, for the same templates."""

    @property
    def risks(self):
        """[(field name, label)] of the flags set."""
        return [(name, self._meta.get_field(name).verbose_name) for name in RISK_FLAGS if getattr(self, name)]

    @property
    def has_risk(self):
        return bool(self.risks or self.risk_notes)

    def risk_values(self):
        """{field: value} of every risk field, to compare or copy."""
        return {name: getattr(self, name) for name in RISK_FIELDS}


def apply_latest_order_risks(client_model, order_model, *, batch: int = 2000) -> int:
    """Give each client the risk information of their most recent order
    (latest sent_at, then highest id, whatever its state: the newest thing
    the unit knew), stamped with that order's sending time and case officer.
    Clients without orders are left as they are. The rule of data migration
    0008_client_risk (which passes its historical models) and of the demo
    data. Returns the number of clients updated."""
    orders = (
        order_model.objects.filter(client__isnull=False)
        .order_by("client_id", "-sent_at", "-id")
        .values_list("client_id", "sent_at", "ordered_by_id", *RISK_FIELDS)
    )
    written, seen, pending = 0, set(), []
    fields = [*RISK_FIELDS, "risk_changed_at", "risk_changed_by"]
    # One pass over the orders, newest first per client: the first row seen
    # for a client is their most recent order.
    for client_id, sent_at, ordered_by_id, *values in orders.iterator(chunk_size=batch):
        if client_id in seen:
            continue
        seen.add(client_id)
        client = client_model(pk=client_id, risk_changed_at=sent_at, risk_changed_by_id=ordered_by_id)
        for name, value in zip(RISK_FIELDS, values, strict=True):
            setattr(client, name, value)
        pending.append(client)
        if len(pending) >= batch:
            client_model.objects.bulk_update(pending, fields)
            written, pending = written + len(pending), []
    if pending:
        client_model.objects.bulk_update(pending, fields)
        written += len(pending)
    return written
