"""Risk information: what a bolots must know before the door opens
(animals, substance use, violence in close relationships, children,
threats). It belongs to the client (Client.risk_*), edited through
referrals.services.risks with field history; an order keeps the snapshot it
was sent with (Order.risk_*), which is what the provider was told."""

# The flags, in the order they are shown. The same names on Client and Order
# (referrals.models.orders.RISK_FIELDS), so the risk templates
# (templates/referrals/includes/risks*.html) show either.
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
