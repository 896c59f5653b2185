"""The evaluation's own words (docs/housing-chain.md "The evaluation's own
words"): the narrative sections of the yearly report in seed 001 that no
figure can fill, written by a manager or someone they delegate, draft until
final, edited with optimistic locking (audit.tracked.save_tracked keeps the
change history). reports.evaluation places them in the PDF after the figures
they refer to and refuses a text with personal data (reports.narrative_check).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel


class NarrativeSection(models.TextChoices):
    BACKGROUND = "background", _("Background")
    ORDERING_VIEWS = "ordering_views", _("Views of the ordering side")
    PROVIDING_VIEWS = "providing_views", _("Views of the providing side")
    IMPROVEMENTS = "improvements", _("Areas of improvement")
    PROPOSALS = "proposals", _("Proposed decisions")


class NarrativeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class NarrativeText(VersionedModel):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=30, choices=NarrativeSection.choices)
    text = models.TextField(_("text"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=NarrativeState.choices, default=NarrativeState.DRAFT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation text")
        verbose_name_plural = _("evaluation texts")
        ordering = ["unit", "year", "section"]
        permissions = [("write_narrative", _("Can write the evaluation's narrative sections"))]
        constraints = [
            # One text per section and year: services.narrative gets or
            # creates it; the PDF reads one.
            models.UniqueConstraint(fields=["unit", "year", "section"], name="reports_narrative_one_per_section"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_section_display()}"


class NarrativeDelegate(models.Model):
    """A user a manager has let write a year's narrative sections. Revoking
    keeps the row (revoked_at) as the history of who could write."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("narrative delegate")
        verbose_name_plural = _("narrative delegates")
        constraints = [
            # services.narrative.delegate checks first; may_write reads one.
            models.UniqueConstraint(
                fields=["unit", "year", "user"], condition=Q(revoked_at__isnull=True),
                name="reports_narrative_one_delegate",
            ),
            # Nobody gives themselves access (the brief's rule).
            models.CheckConstraint(condition=~Q(user=models.F("granted_by")), name="reports_narrative_not_self"),
        ]

    def __str__(self):
        return f"{self.year} {self.user_id}"
