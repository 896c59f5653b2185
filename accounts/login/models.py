"""Two-person reset of a lost second factor."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecondFactorReset(models.Model):
    """A system administrator asks to remove a user's second factor; a
    manager of the user's unit approves it. Only then are the devices
    removed (accounts.login.services.approve_reset), so that no single
    person can take over an account by resetting its second factor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")
        ordering = ["-requested_at", "-id"]
        # add_secondfactorreset (system administrator) asks, approve_...
        # (manager of the account's unit) approves: accounts.roles.
        permissions = [("approve_secondfactorreset", _("Can approve a second factor reset"))]
        constraints = [
            # One open request per account: services.request_reset relies on
            # it so that two administrators cannot queue duplicates.
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_2fa_reset",
            ),
            # The approver is never the requester (services.approve_reset).
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")) | models.Q(decided_by__isnull=True),
                name="accounts_2fa_reset_two_people",
            ),
        ]

    def __str__(self):
        return f"{self.subject_id} {self.status}"
