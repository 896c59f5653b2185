"""The enforcement authority's (Kronofogden) municipality-wide figures.

They are the only KPI inputs typed in: the authority publishes them per
municipality and year, so a manager enters them once a year (KPI 2).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnforcementFigures(models.Model):
    municipality = models.CharField(_("municipality"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    eviction_applications = models.PositiveIntegerField(_("applications for eviction"))
    executed_evictions = models.PositiveIntegerField(_("executed evictions"))
    children_affected = models.PositiveIntegerField(_("children affected"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking (audit.versioning.claim_version): two managers
    # correcting the same year must not overwrite each other silently.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("enforcement authority figures")
        verbose_name_plural = _("enforcement authority figures")
        ordering = ["municipality", "-year"]
        constraints = [
            # One row per municipality and year: views.enforcement.
            # enforcement_edit and services.enforcement.save_figures find it
            # by (municipality, year), and the KPI engine's sums
            # (reports.kpis.evictions) would count a second row twice.
            models.UniqueConstraint(fields=["municipality", "year"], name="reports_enforcement_one_per_year"),
            # forms.EnforcementFiguresForm.clean refuses it with a message.
            models.CheckConstraint(
                condition=models.Q(executed_evictions__lte=models.F("eviction_applications")),
                name="reports_enforcement_executed_le_applications",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}"
