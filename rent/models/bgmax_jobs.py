"""A BgMax file waiting for, or in, its import by the worker (issue 16 §2).

A large file (30 000 payments) takes longer to import than a request may
last, so the upload page stores the file's bytes here and a task imports it
(rent.tasks.bgmax, services.bgmax_import.run_import_job). The job's row is
marked done in the same transaction that writes the payments, so a worker
killed mid-import leaves no payment behind and the redelivered task imports
the file once (docs/rent.md, "The import as a background job").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BgMaxImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting in the queue")
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("checksum"), max_length=64)
    # The uploaded bytes (at most services.bgmax_import.MAX_FILE_BYTES), in
    # the database so that every worker host reads them; emptied once the
    # job has finished (the payments are the record of what it held).
    data = models.BinaryField(_("file content"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # [[line or null, message], …] when the file was refused, in Swedish.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.OneToOneField("rent.BgMaxFile", verbose_name=_("imported file"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="job")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("BgMax import")
        verbose_name_plural = _("BgMax imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One waiting or running import per file: two uploads of one file
            # at once queue it once (services.bgmax_import.queue_import turns
            # the violation into the "being imported" message).
            models.UniqueConstraint(fields=["sha256"], condition=models.Q(status__in=["queued", "running"]),
                                    name="rent_bgmaximportjob_one_active_per_file"),
        ]

    def __str__(self):
        return self.filename

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
