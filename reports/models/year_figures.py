"""The figures of a closed year that is not fixed, counted once and kept.

A closed year's records rarely change, but the goal dashboard counted every
KPI again on every request (about 25 queries and a third of a second at
national scale). YearFigures keeps, per unit and closed year, the same data
a fixed YearSnapshot keeps (reports.snapshots.year_data, FORMAT_VERSION), so
that the dashboard reads one row. Unlike a snapshot it follows the records:
a correction of a record dated in the year (a late move-out, a backdated
visit, a deleted decision) marks the row stale (reports.invalidation) and a
background task counts the year again (reports.tasks_figures). When a
manager fixes the year, the snapshot takes over and this row is removed
(docs/kpis.md "Closed years kept and recomputed").
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YearFigures(models.Model):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    # Empty while the first count runs (the row is claimed before counting so
    # that a correction during the count finds it and marks it stale).
    format_version = models.PositiveSmallIntegerField(_("format version"), null=True, blank=True)
    data = models.JSONField(_("figures"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    # Set by a correction, cleared by the count that follows it; the dashboard
    # shows the kept figures with a note meanwhile.
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    # Bumped by every correction: a count stores its result only if no
    # correction came while it ran (reports.year_figures.count_year).
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("kept figures of a closed year")
        verbose_name_plural = _("kept figures of closed years")
        default_permissions = ()
        constraints = [
            # One row per unit and year: reports.year_figures.claim() creates
            # it with get_or_create and turns a racing insert's IntegrityError
            # into "already there"; the dashboard and reports.invalidation
            # find it through this constraint's index.
            models.UniqueConstraint(fields=["unit", "year"], name="reports_yearfigures_one_per_unit_year"),
        ]

    def __str__(self):
        return f"{self.year}"
