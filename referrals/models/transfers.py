"""Requests to move a client's file to another unit.

Registering a client whose personal identity number another unit already
holds must not tell the user that the person is registered elsewhere (an
existence oracle). The form says only that the number cannot be registered
by them and offers this request instead; the holding unit's managers accept
or decline it (referrals.services.transfers). Moving the file itself is not
done by the application yet: an accepted request is the managers' agreement,
carried out by them (docs/access.md, "Transfer requests").
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.two_person import TwoPersonRequest


class TransferState(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class TransferRequest(TwoPersonRequest):
    """A unit's request for another unit's client file; the holding unit's
    managers decide (the second person)."""

    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    # The unit holding the file when the request was made: its managers decide.
    holding_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit holding the file"), on_delete=models.PROTECT, related_name="+"
    )
    requesting_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="+"
    )
    # requested_by, requested_at, decided_by, decided_at, decision_note: accounts.two_person.
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=20, choices=TransferState.choices, default=TransferState.PENDING)

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["requested_at", "id"]
        permissions = [("decide_transferrequest", _("Can accept or decline transfer requests for the own unit"))]
        constraints = [
            # services.transfers.request_transfer relies on this: a second
            # request from the same unit for the same file adds nothing.
            models.UniqueConstraint(
                fields=["client", "requesting_unit"],
                condition=Q(state="pending"),
                name="referrals_transfer_one_pending",
            ),
        ]
        indexes = [
            # The holding unit's managers list their pending requests
            # (services.transfers.pending_for).
            models.Index(fields=["holding_unit", "state"], name="referrals_transfer_unit_idx"),
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def audit_client(self):
        # The holding unit's managers see whose file is asked for: logged.
        return self.client
