"""Termination of a training-apartment tenancy for unpaid rent, where the
unit is itself the landlord (12 kap. 44 § jordabalken): the tenant may
recover the tenancy by paying within three weeks of being notified, and
the social welfare board must be notified (docs/rent.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel


class TerminationStatus(models.TextChoices):
    # Letters made, the tenant not yet (provably) notified: no deadline runs.
    DRAFT = "draft", _("Letters made, not delivered")
    RUNNING = "running", _("Three weeks to recover")
    RECOVERED = "recovered", _("Recovered: paid in time")
    LAPSED = "lapsed", _("Not recovered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ArrearsTermination(VersionedModel):
    tenancy = models.ForeignKey("tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT,
                                related_name="arrears_terminations")
    decided_on = models.DateField(_("date of the termination"))
    # Computed from the ledger on decided_on (services.terminations) and
    # printed in both letters: never typed.
    amount_owed = models.PositiveIntegerField(_("amount owed (öre)"))
    # The day the tenant was provably notified (the termination letter's
    # delivery); the three weeks run from it. Empty until then.
    notified_on = models.DateField(_("tenant notified on"), null=True, blank=True)
    recover_by = models.DateField(_("last day to pay"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TerminationStatus.choices,
                              default=TerminationStatus.DRAFT)
    status_on = models.DateField(_("status since"), null=True, blank=True)
    # The unit's own eviction-prevention case, so KPI 2 counts it.
    eviction_notice = models.ForeignKey("referrals.EvictionNotice", verbose_name=_("eviction notice"),
                                        on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("termination for arrears")
        verbose_name_plural = _("terminations for arrears")
        ordering = ["-decided_on"]
        constraints = [
            # services.terminations.start_termination refuses a second with a message.
            models.UniqueConstraint(fields=["tenancy"], condition=Q(status__in=["draft", "running"]),
                                    name="rent_termination_one_open"),
        ]
        indexes = [
            # Running deadlines soonest first (Min dag, the eviction-prevention lists).
            models.Index(fields=["status", "recover_by"], name="rent_termination_deadline_idx"),
        ]

    @property
    def audit_client(self):
        return self.tenancy.client


class LetterKind(models.TextChoices):
    TERMINATION = "termination", _("Termination with the right to recover")
    BOARD_NOTICE = "board_notice", _("Notice to the social welfare board")


class DeliveryMethod(models.TextChoices):
    BY_HAND = "by_hand", _("Handed over by a bolots (signed receipt)")
    REGISTERED_MAIL = "registered_mail", _("Registered mail with receipt")
    SERVICE = "service", _("Served (delgivning)")
    INTERNAL_MAIL = "internal_mail", _("Internal mail (to the board)")


class LetterDelivery(models.Model):
    """Proof that a letter reached its recipient: how, when, recorded by
    whom, with a scanned receipt or a bolots's signed delivery in the app."""

    termination = models.ForeignKey(ArrearsTermination, on_delete=models.PROTECT, related_name="deliveries")
    letter = models.CharField(_("letter"), max_length=20, choices=LetterKind.choices)
    method = models.CharField(_("how"), max_length=20, choices=DeliveryMethod.choices)
    delivered_on = models.DateField(_("delivered on"))
    proof = models.FileField(_("scanned receipt"), upload_to="rent/deliveries/%Y/", blank=True)
    # A bolots who handed the letter over and signs in the app that they did.
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed over by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery of a letter")
        verbose_name_plural = _("deliveries of letters")
        ordering = ["termination", "delivered_on"]
        constraints = [
            # Proof is a scanned file or a bolots's signature (services.terminations).
            models.CheckConstraint(condition=~Q(proof="") | Q(delivered_by__isnull=False, signed_at__isnull=False),
                                   name="rent_delivery_has_proof"),
        ]

    def __str__(self):
        return f"{self.letter} {self.delivered_on}"
