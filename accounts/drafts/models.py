from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    """The unsaved text of one form, kept for the user who wrote it.

    `key` names the form page and the form on it ("/uppdrag/12/besok/nytt/#VisitForm"):
    a path of ids, never personal data. `data` maps the form's field names
    to the text typed so far. Only `user` ever reads it (services.drafts_for).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="drafts"
    )
    key = models.CharField(_("form"), max_length=300)
    data = models.JSONField(_("text"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            # services.save_draft updates the one draft of a user's form in
            # place (update_or_create), and restoring picks it by key.
            models.UniqueConstraint(fields=["user", "key"], name="accounts_draft_one_per_form"),
        ]
        indexes = [
            # The nightly purge (tasks.purge_drafts) deletes by age.
            models.Index(fields=["updated_at"], name="accounts_draft_updated_idx"),
        ]

    def __str__(self):
        return self.key
