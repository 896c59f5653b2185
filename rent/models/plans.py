"""Repayment plans (avbetalningsplaner): an amount per month on top of the
rent until the debt is paid. services.runs adds the instalment as a line on
each month's notice while the plan runs; services.plans judges each
instalment kept or missed and raises a signal for a missed one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    COMPLETED = "completed", _("Paid")
    BROKEN = "broken", _("Broken off")


class RepaymentPlan(VersionedModel):
    tenancy = models.ForeignKey("tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT,
                                related_name="repayment_plans")
    debt = models.PositiveIntegerField(_("debt covered (öre)"))
    monthly_amount = models.PositiveIntegerField(_("amount per month (öre)"))
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"))
    debt_adviser = models.CharField(_("budget and debt adviser"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        ordering = ["-start_month"]
        constraints = [
            models.CheckConstraint(condition=Q(end_month__gte=models.F("start_month")),
                                   name="rent_plan_end_after_start"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="rent_plan_amount_positive"),
            # services.plans.create_plan refuses a second with a message first.
            models.UniqueConstraint(fields=["tenancy"], condition=Q(status="active"), name="rent_plan_one_active"),
        ]

    @property
    def audit_client(self):
        return self.tenancy.client


class InstalmentOutcome(models.TextChoices):
    KEPT = "kept", _("Paid in time")
    MISSED = "missed", _("Missed")


class PlanInstalment(models.Model):
    """The judgement of one month's instalment, made once when the notice
    carrying it is past due and grace (services.plans.judge_instalments):
    the plan's progress and the "plans kept" figure read these."""

    plan = models.ForeignKey(RepaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    month = models.DateField(_("month"))
    amount = models.PositiveIntegerField(_("amount (öre)"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=InstalmentOutcome.choices)
    judged_on = models.DateField(_("judged on"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="rent_instalment_one_per_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"
