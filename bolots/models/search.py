"""Housing search (bostadssökande): queue registrations and applications,
checked by the bolots every month."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel
from referrals.models import Client


class HousingSearchProfile(VersionedModel):
    client = models.OneToOneField(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="housing_search")
    nationwide = models.BooleanField(_("searches nationwide"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    checked_on = models.DateField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("housing search")
        verbose_name_plural = _("housing searches")

    def __str__(self):
        return str(_("Housing search"))

    @property
    def audit_client(self):
        return self.client


class QueueRegistration(VersionedModel):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="queue_registrations")
    queue = models.CharField(_("housing queue"), max_length=200)
    registered_since = models.DateField(_("registered since"))
    ended_on = models.DateField(_("left the queue"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue registration")
        verbose_name_plural = _("queue registrations")
        ordering = ["registered_since"]
        constraints = [
            # forms.search.QueueRegistrationForm.clean and services.search.
            # _check_queue_dates refuse it with a message first.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("registered_since")),
                name="bolots_queue_ended_after_registered",
            ),
        ]

    def __str__(self):
        return self.queue

    @property
    def audit_client(self):
        return self.client


class ApplicationResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    OFFERED = "offered", _("Offered an apartment")
    ACCEPTED = "accepted", _("Accepted an apartment")
    DECLINED = "declined", _("Declined the offer")
    NOT_CHOSEN = "not_chosen", _("Not chosen")


class HousingApplication(VersionedModel):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="housing_applications")
    applied_on = models.DateField(_("applied on"))
    where = models.CharField(_("where (landlord, address or advert)"), max_length=300)
    result = models.CharField(_("result"), max_length=20, choices=ApplicationResult.choices, default=ApplicationResult.PENDING)

    class Meta:
        verbose_name = _("housing application")
        verbose_name_plural = _("housing applications")
        ordering = ["-applied_on", "-id"]

    def __str__(self):
        return f"{self.applied_on:%Y-%m-%d} {self.where}"

    @property
    def audit_client(self):
        return self.client
