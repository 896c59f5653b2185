"""The last runs of each scheduled job (issue 16 §4): one row per entry of
settings.CELERY_BEAT_SCHEDULE, written by core.scheduled's Celery signal
handlers and read by the operations page /drift/jobb/ and the hourly
lateness check (core.housekeeping.check_scheduled_jobs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJobRun(models.Model):
    # The beat entry's name ("verify-log-chains"), not the task's: the page
    # lists the schedule's entries.
    name = models.CharField(_("job"), max_length=100)
    task = models.CharField(_("task"), max_length=200)
    # When the watch started looking at this job: a job that never ran is
    # late from its first due time after this.
    tracked_since = models.DateTimeField(_("tracked since"), auto_now_add=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_succeeded_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    # The exception's class name only: a message could quote personal data.
    last_failure = models.CharField(_("reason of the last failure"), max_length=200, blank=True)
    # The due time the administrators were last alerted about: one alert per
    # lateness, a new one only when a later due time is missed too.
    alerted_for = models.DateTimeField(_("alerted for due time"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        constraints = [
            # core.scheduled records runs with update_or_create(name=...):
            # two workers finishing at once must not make two rows.
            models.UniqueConstraint(fields=["name"], name="core_scheduledjobrun_name_uniq"),
        ]

    def __str__(self):
        return self.name
