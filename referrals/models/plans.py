"""The individual plan (genomförandeplan) of a training-apartment client:
goals, agreed actions and a review every three months."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel
from core.calendar import add_months

REVIEW_INTERVAL_MONTHS = 3
# Reviews within this many days are listed as "due soon".
REVIEW_DUE_SOON_DAYS = 14

PRESET_GOALS = (
    ("own_housing", _("Own housing on the regular housing market")),
    ("self_sufficiency", _("Self-sufficiency")),
)


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .clients import Client

        return self.filter(client__in=Client.objects.visible_to(user))

    def review_overdue(self, today=None):
        return self.filter(next_review_on__lt=today or date.today())


class IndividualPlan(VersionedModel):
    client = models.OneToOneField(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="plan"
    )
    established_on = models.DateField(_("established on"))
    # Derived: the last review (or the establishment) plus three months. Set
    # by the service that records a review; stored so that the due list is one query.
    next_review_on = models.DateField(_("next review"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        indexes = [
            # Plans due for review soon: services.plans.reviews_due.
            models.Index(fields=["next_review_on"], name="referrals_plan_review_idx"),
        ]

    def __str__(self):
        return str(_("Individual plan"))

    @staticmethod
    def next_review_after(day):
        return add_months(day, REVIEW_INTERVAL_MONTHS)

    @property
    def audit_client(self):
        return self.client


class PlanGoal(models.Model):
    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="goals")
    preset = models.CharField(_("preset goal"), max_length=30, blank=True)
    text = models.CharField(_("goal"), max_length=300)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["id"]

    def __str__(self):
        return self.text

    @property
    def audit_client(self):
        return self.plan.client


class PlanAction(models.Model):
    """An agreed action: what, who does it, by when."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("agreed action"), max_length=300)
    responsible = models.CharField(_("who does it"), max_length=200)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["done_on", "due_on", "id"]

    def __str__(self):
        return self.description

    @property
    def audit_client(self):
        return self.plan.client


class PlanReview(models.Model):
    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"{self.reviewed_on:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.plan.client
