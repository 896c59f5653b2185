"""The monthly access-log review: what was drawn, what the manager judged.

A month's review (`ReviewMonth`) belongs to one unit. The draw
(logreview.sampling) adds one `ReviewItem` per access-log row to look at:
every read that hits a risk rule, plus a random sample of the rest. A
manager judges each item "justified" (with a note) or "investigate"; an
investigation ends with an outcome. The month is signed off by a manager
when every item is judged (logreview.services).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel


class RiskRule(models.TextChoices):
    """The rules that flag a read for review (logreview.rules)."""

    PROTECTED = "protected", _("The client has protected personal data")
    SAME_NAME_OR_ADDRESS = "same_name_or_address", _("The client shares a surname or address with the user")
    STAFF = "staff", _("The client is a staff member of the municipality")
    NO_ERRAND = "no_errand", _("The user has no open order or case for the client")
    OFF_HOURS = "off_hours", _("Read outside working hours")
    MANY_CLIENTS = "many_clients", _("The user read many more clients than usual")
    FORMER_CLIENT = "former_client", _("The client is a former client")


def all_rules() -> list[str]:
    return [rule.value for rule in RiskRule]


class ReviewSettings(VersionedModel):
    """A unit's review rules; a unit without a row uses the defaults."""

    unit = models.OneToOneField(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="review_settings"
    )
    rules = models.JSONField(_("risk rules in use"), default=all_rules)
    sample_size = models.PositiveSmallIntegerField(
        _("random sample"), default=20, help_text=_("Reads drawn at random each month, besides the flagged ones.")
    )
    workday_starts = models.TimeField(_("working day starts"), default=time(7, 0))
    workday_ends = models.TimeField(_("working day ends"), default=time(18, 0))
    many_clients_factor = models.DecimalField(
        _("many clients: times the usual"), max_digits=4, decimal_places=1, default=3,
        help_text=_("A user is flagged who read this many times more clients than their monthly average."),
    )
    # Who judges the reads of the unit's managers when the unit has no other
    # manager: a user of another unit holding the review permission (a
    # manager there, or a data protection officer given the permission).
    # Nobody reviews reads of their own (logreview.services).
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("second reviewer"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
        help_text=_("Judges the managers' own reads when no other manager of the unit can: a manager of another "
                    "unit, or the data protection officer."),
    )

    class Meta:
        verbose_name = _("log review settings")
        verbose_name_plural = _("log review settings")


class ReviewMonth(models.Model):
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="review_months"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reviewed."))
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    reads = models.PositiveIntegerField(_("reads in the month"), default=0)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    sign_off_note = models.TextField(_("sign-off note"), blank=True)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        verbose_name = _("log review month")
        verbose_name_plural = _("log review months")
        ordering = ["-month", "unit"]
        permissions = [("review_reads", _("Can review the access log"))]
        constraints = [
            # One review per unit and month: the monthly draw
            # (logreview.sampling.draw_month) relies on it to be idempotent.
            models.UniqueConstraint(fields=["unit", "month"], name="logreview_month_unique_unit_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class Verdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    INVESTIGATE = "investigate", _("Investigate")


class Outcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified after investigation")
    UNAUTHORISED = "unauthorised", _("Unauthorised access")


class ReviewItem(VersionedModel):
    review = models.ForeignKey(ReviewMonth, verbose_name=_("review"), on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(
        "audit.AccessLogEntry", verbose_name=_("log entry"), on_delete=models.PROTECT, related_name="+"
    )
    # The reader, copied from the entry: "nobody reviews reads of their own"
    # (logreview.services) is checked against it without a join.
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.PROTECT,
        null=True, related_name="+",
    )
    rules = models.JSONField(_("rules hit"), default=list, blank=True)
    sampled = models.BooleanField(_("in the random sample"), default=False)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    outcome = models.CharField(_("outcome of the investigation"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("measures taken"), blank=True)
    outcome_at = models.DateTimeField(_("investigation closed"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("investigation closed by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    # Set at the sign-off for a read of the signing manager's own that
    # nobody else could review (no other reviewer of the unit): it stays
    # unjudged, listed in the sign-off and the yearly summary
    # (logreview.services.sign_off, docs/log-review.md "Own reads").
    no_other_reviewer = models.BooleanField(_("cannot be reviewed by anyone else"), default=False)

    class Meta:
        verbose_name = _("reviewed read")
        verbose_name_plural = _("reviewed reads")
        ordering = ["review", "entry"]
        constraints = [
            # A read is drawn once per review (sampling.draw_month adds the
            # flagged reads first, then samples among the rest).
            models.UniqueConstraint(fields=["review", "entry"], name="logreview_item_unique_entry"),
        ]

    @property
    def audit_client(self) -> LoggedClient | None:
        """The client of the read, as its log row recorded it: the item's
        own log rows and change history (notes about the read) then carry
        the client's id, so culling the client redacts them too (audit.
        redaction). A snapshot, never the Client record: the review does
        not open the file."""
        entry = self.entry
        if entry.client_id is None:
            return None
        return LoggedClient(entry.client_id, entry.client_label, entry.client_number)


@dataclass(frozen=True)
class LoggedClient:
    """What audit.services needs of a client to log a record about it."""

    pk: int
    audit_label: str
    personal_number: str
