"""A request for the yearly PDF evaluation and its outcome.

The PDF is built by a Celery task (reports.tasks) enqueued after the request
commits; the page polls this record until the file is ready. Failed runs
keep their error so that the manager sees why and can retry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see the runs of their own unit."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        return self.filter(unit_id=user.unit_id)


class ReportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_runs")
    year = models.PositiveSmallIntegerField(_("year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="report_runs"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-requested_at"]
        permissions = [
            ("view_kpi_dashboard", _("Can see the KPI dashboard")),
            ("download_reportrun", _("Can download the yearly evaluation")),
        ]
        indexes = [
            # A unit's runs newest first (views.runs.run_list through
            # ReportRun.objects.visible_to) and the active run of a unit and
            # year (services.runs._active).
            models.Index(fields=["unit", "year", "-requested_at"], name="reports_run_unit_year_idx"),
        ]
        constraints = [
            # One queued or running evaluation per unit and year: each run
            # costs a worker seconds of CPU and a PDF in storage, and the
            # request form could be posted without limit. request_run() and
            # retry_run() (reports/services/runs.py) check first for a
            # friendly message and turn this constraint's IntegrityError
            # (two requests at the same moment) into the same message.
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reports_run_one_active_per_unit_year",
            ),
        ]

    def __str__(self):
        return f"{self.year} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
