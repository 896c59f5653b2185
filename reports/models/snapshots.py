"""The KPI figures of a closed year, frozen ("Fastställt år").

A closed year's figures are reported to the committee, and the records
behind them are culled later (docs/culling.md "Closed years do not
change"): computed again after a culling run they would change. A
YearSnapshot keeps, as data, everything the goal dashboard, its exports and
the yearly PDF show for one unit and year — the KPIs with numerators,
denominators and goal met, the additional figures, the caseload, the
charts, the PDF's tables and the number of records and persons behind every
drill-down — so that those pages read the snapshot and never count a
frozen year again (reports/snapshots.py builds and reads it).

Once made, a snapshot is never recomputed or changed: the figures it keeps
are the ones that were fixed. A correction of a record afterwards shows in
the drill-down, not in the fixed figures (docs/kpis.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class YearSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see the snapshots of their own unit (aggregates only)."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        return self.filter(unit_id=user.unit_id)


class YearSnapshot(models.Model):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="year_snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    # The layout of `data` (reports.snapshots.FORMAT_VERSION): a reader of an
    # older layout knows what it holds.
    format_version = models.PositiveSmallIntegerField(_("format version"))
    data = models.JSONField(_("figures"))
    frozen_at = models.DateTimeField(_("fixed at"))
    # Who fixed the year on the dashboard, or the culling run it was fixed
    # before (an id only: culling is a higher layer, and its run records
    # stay in its own register).
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("fixed by"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    culling_run_id = models.PositiveIntegerField(_("before culling run"), null=True, blank=True)

    objects = YearSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("fixed year")
        verbose_name_plural = _("fixed years")
        ordering = ["unit", "-year"]
        permissions = [
            ("freeze_kpi_year", _("Can fix the figures of a closed year")),
        ]
        constraints = [
            # One snapshot per unit and year: reports.snapshots.freeze_year()
            # looks for one first and, when two freezes race (the button and
            # a culling run), turns this constraint's IntegrityError into
            # "already fixed" and returns the one that won. The dashboard and
            # the PDF read it with .filter(unit, year).first() through this
            # constraint's index.
            models.UniqueConstraint(fields=["unit", "year"], name="reports_snapshot_one_per_unit_year"),
            # Every snapshot says where it came from (docs/kpis.md).
            models.CheckConstraint(
                condition=models.Q(frozen_by__isnull=False) | models.Q(culling_run_id__isnull=False),
                name="reports_snapshot_has_origin",
            ),
        ]

    def __str__(self):
        return f"{self.year}"
