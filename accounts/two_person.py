"""The shape shared by requests that wait for a second person.

An access grant (accounts.models.AccessRequest) and a file transfer
(referrals.models.TransferRequest) are both asked for by one person and
decided by another: who asked and when, who decided, when, with what note.
Each concrete request declares its own `state` (its own words for the
outcome) and the rule for who may decide; this base holds the columns and
the recording of the decision, so both write it the same way.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_LENGTH = 300


class TwoPersonRequest(models.Model):
    """Abstract: no table of its own. Concrete requests add `state` (a
    CharField with their choices, "pending" first) and their subject."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=NOTE_LENGTH, blank=True)

    class Meta:
        abstract = True

    def record_decision(self, state: str, by, note: str = "") -> None:
        """Save the second person's decision: the new state, who (None when
        the request is withdrawn by its requester, who may not decide it),
        now, and the note cut to the column's length."""
        self.state = state
        self.decided_by = by
        self.decided_at = timezone.now()
        self.decision_note = note[:NOTE_LENGTH]
        self.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
