"""Culling (gallring): the rules, the runs that list who is due, and the
register of what was culled (docs/culling.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.versioning import VersionedModel

DEFAULT_YEARS = 5
DEFAULT_RESEARCH_DAYS = [5, 15, 25]


def _default_research_days():
    return list(DEFAULT_RESEARCH_DAYS)


class CullingRules(VersionedModel):
    """The one set of culling rules (the law's defaults; a change is the
    municipality's decision, edited on the rules page with history)."""

    years = models.PositiveSmallIntegerField(
        _("years after the last entry"), default=DEFAULT_YEARS,
        help_text=_("A file is culled this many years after its last entry."),
    )
    research_days = models.JSONField(
        _("research days"), default=_default_research_days,
        help_text=_("Files of people born on these days of a month are kept for research."),
    )
    exempt_kinds = models.JSONField(
        _("record kinds never culled"), default=list, blank=True,
        help_text=_("A person with a record of one of these kinds is kept whole."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("culling rules")
        verbose_name_plural = _("culling rules")
        constraints = [
            # One row: services.rules.current_rules() reads and creates pk 1.
            models.CheckConstraint(condition=Q(pk=1), name="culling_rules_single_row"),
        ]

    def __str__(self):
        return str(_("Culling rules"))


class RunStatus(models.TextChoices):
    LISTED = "listed", _("Listed, waiting for approval")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", _("Being culled")
    DONE = "done", _("Culled")
    FAILED = "failed", _("Failed")
    # A manager found the list wrong (e.g. made under rules since corrected);
    # nothing on it is culled, and reminders stop (culling.reminders).
    REJECTED = "rejected", pgettext_lazy("culling list", "Rejected")


class RunTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Yearly dry run")
    ON_DEMAND = "on_demand", _("Dry run on demand")


class CullingRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The runs of the user's own unit (a manager of another unit gets 404)."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        return self.filter(unit_id=user.unit_id)


class CullingRun(models.Model):
    """One dry run of one unit: its list is frozen when made (CullingCandidate
    rows); only a manager's approval of this run lets it be executed."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="culling_runs")
    trigger = models.CharField(_("made by"), max_length=20, choices=RunTrigger.choices)
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.LISTED)
    # The rules the list was made with, so that the list can be read later
    # even if the rules changed.
    rules = models.JSONField(_("rules used"), default=dict)
    made_at = models.DateTimeField(_("made"), auto_now_add=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The day the unit's approvers were last told that this list waits
    # (culling.reminders): claimed with a conditional update, so a job run
    # twice in a day sends one reminder.
    last_reminded_on = models.DateField(_("last reminded"), null=True, blank=True)

    objects = CullingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("culling run")
        verbose_name_plural = _("culling runs")
        ordering = ["-made_at", "-id"]
        permissions = [
            ("approve_cullingrun", _("Can approve a culling list")),
        ]
        constraints = [
            # Approval and its approver go together (services.runs.approve_run).
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_by__isnull=True)
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="culling_run_approval_complete",
            ),
        ]
        indexes = [
            # The run list of a unit (views.run_list), newest first.
            models.Index(fields=["unit", "-made_at"], name="culling_run_unit_made_idx"),
        ]

    def __str__(self):
        return _("Culling run #%(number)s") % {"number": self.pk}


class CandidateStatus(models.TextChoices):
    DUE = "due", _("Due for culling")
    EXEMPT = "exempt", _("Kept")


class CandidateOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet culled")
    CULLED = "culled", _("Culled")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class CullingCandidate(models.Model):
    """One person on a run's frozen list: due, or kept with the reasons.

    The client link is SET_NULL: once the person is culled the row keeps
    only dates, counts and the culling reference, no personal data."""

    run = models.ForeignKey(CullingRun, verbose_name=_("culling run"), on_delete=models.CASCADE,
                            related_name="candidates")
    client = models.ForeignKey("referrals.Client", verbose_name=_("client"), on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=CandidateStatus.choices)
    last_entry = models.DateField(_("last entry"))
    due_on = models.DateField(_("due for culling on"))
    deadline = models.DateField(_("to be culled by"))
    # {"referrals.decision": 2, ...}: what would be culled, per record kind.
    counts = models.JSONField(_("records"), default=dict)
    # Codes: "research_day", "open:<model label>", "exempt_kind:<model label>".
    reasons = models.JSONField(_("reasons kept"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CandidateOutcome.choices,
                               default=CandidateOutcome.PENDING)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    reference = models.CharField(_("culling reference"), max_length=20, blank=True)
    # The person the row's file belongs to: the lowest client id of the
    # records linked as the same person when the list was made (one row per
    # record, so a person with two files has two rows). culling.reminders
    # and culling.todo count persons by it ("3 persons due"); an id, no
    # personal data, kept after the client row is culled.
    person = models.BigIntegerField(_("person"), null=True, blank=True)

    class Meta:
        verbose_name = _("person on a culling list")
        verbose_name_plural = _("persons on a culling list")
        ordering = ["run", "status", "last_entry", "id"]
        constraints = [
            # A person appears once on a list (services.runs.make_run).
            models.UniqueConstraint(fields=["run", "client"], name="culling_candidate_once_per_run"),
        ]

    def __str__(self):
        return f"#{self.run_id}/{self.pk}"


class RunEventKind(models.TextChoices):
    MADE = "made", _("List made")
    APPROVED = "approved", _("List approved")
    STARTED = "started", _("Culling started")
    CULLED = "culled", _("Person culled")
    SKIPPED = "skipped", _("Person skipped")
    FAILED = "failed", _("Person failed")
    FINISHED = "finished", _("Culling finished")
    REJECTED = "rejected", _("List rejected")


class CullingEvent(models.Model):
    """What happened to a run, in order (its own log; no personal data)."""

    run = models.ForeignKey(CullingRun, verbose_name=_("culling run"), on_delete=models.PROTECT,
                            related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=RunEventKind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("culling event")
        verbose_name_plural = _("culling events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"#{self.run_id} {self.kind}"


class CulledPerson(models.Model):
    """The register of what was culled: the reference, when, on whose
    approval and how many records of each kind. No name, number, birth date
    or client id: the person's file is gone, and the register must not
    become a file of its own."""

    reference = models.CharField(_("culling reference"), max_length=20)
    culled_on = models.DateField(_("culled on"))
    run = models.ForeignKey(CullingRun, verbose_name=_("culling run"), on_delete=models.PROTECT,
                            related_name="culled")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(_("records"), default=dict)

    class Meta:
        verbose_name = _("culled file")
        verbose_name_plural = _("culled files")
        ordering = ["reference"]
        constraints = [
            # References are numbered per year (services.execution.next_reference).
            models.UniqueConstraint(fields=["reference"], name="culling_culledperson_unique_reference"),
        ]

    def __str__(self):
        return self.reference
