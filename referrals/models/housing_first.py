"""Housing First candidates (docs/housing-chain.md "Housing First"), as seed
002 describes the work: proposals from the unit's case officers and, through
the "reversed referral", from outreach; a working group assesses them
jointly; a steering group of managers decides the priority order. The guiding
rule is the most acute need at the moment of assessment. A prioritised
candidate becomes a Housing First decision and enters the vacancy matching.

Who writes what: referrals.services.housing_first, one function per step.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.versioning import VersionedModel


class ProposalSource(models.TextChoices):
    UNIT = "unit", _("The unit's case officer")
    OUTREACH = "outreach", _("Outreach (reversed referral)")


class HomelessSituation(models.TextChoices):
    """The four situations of Socialstyrelsen's homelessness mapping."""

    ACUTE = "1", _("Situation 1: acute homelessness")
    INSTITUTION = "2", _("Situation 2: in an institution or supported housing, no home on leaving")
    LONG_TERM_ARRANGED = "3", _("Situation 3: long-term housing arranged by the social services")
    SHORT_TERM_PRIVATE = "4", _("Situation 4: short-term private solution")


class CandidateStage(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ASSESSED = "assessed", _("Assessed by the working group")
    PRIORITISED = "prioritised", _("Prioritised by the steering group")
    DECIDED = "decided", _("Housing First decision made")
    NOT_PRIORITISED = "not_prioritised", _("Not prioritised")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def active(cls):
        return [cls.PROPOSED, cls.ASSESSED, cls.PRIORITISED]


class HousingFirstCandidateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """THE access rule for candidates (here, like ClientQuerySet's, so
        that every list reaches it as Model.objects.visible_to: the
        candidate pages through services.housing_first.visible_candidates,
        the dashboard's drill-down directly). Case officers and managers:
        their unit's. Bolotsar: the candidates from outreach orders they
        work on (assigned, accepted or in progress: pilot_working_rule),
        nobody else's. Everyone else: none."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        rule = Q()
        if user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
            rule |= Q(unit_id=user.unit_id)
        if user.has_role(Role.PILOT):
            from .orders import pilot_working_rule

            rule |= Q(unit_id=user.unit_id) & pilot_working_rule(user, prefix="outreach_order__")
        if not rule:
            return self.none()
        return self.filter(rule)


class HousingFirstCandidate(VersionedModel):
    """A person proposed for Housing First: a client, or an outreach subject
    not yet registered (outreach_order), linked to a client later."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="housing_first_candidates"
    )
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="housing_first_candidacies",
    )
    outreach_order = models.ForeignKey(
        "referrals.Order", verbose_name=_("outreach order"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="housing_first_candidacies",
    )
    source = models.CharField(_("proposed through"), max_length=20, choices=ProposalSource.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("proposed on"))
    situation = models.CharField(_("situation"), max_length=2, choices=HomelessSituation.choices)
    needs = models.TextField(_("needs"))
    assessment = models.TextField(_("the case officer's assessment"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=CandidateStage.choices, default=CandidateStage.PROPOSED)
    stage_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decision = models.OneToOneField(
        "referrals.Decision", verbose_name=_("Housing First decision"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="housing_first_candidacy",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = HousingFirstCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("Housing First candidate")
        verbose_name_plural = _("Housing First candidates")
        ordering = ["proposed_on", "id"]
        permissions = [
            ("assess_housing_first", _("Can record the working group's assessment of Housing First candidates")),
            ("decide_housing_first", _("Can record the steering group's priority of Housing First candidates")),
        ]
        constraints = [
            # A candidate is someone: services.housing_first.propose_candidate
            # refuses neither with a message; the list shows the one given.
            models.CheckConstraint(
                condition=Q(client__isnull=False) | Q(outreach_order__isnull=False),
                name="referrals_hf_candidate_has_person",
            ),
            # A decided candidate names its decision (the figures' time from
            # proposal to housing follow it).
            models.CheckConstraint(
                condition=~Q(stage="decided") | Q(decision__isnull=False), name="referrals_hf_decided_has_decision"
            ),
        ]
        indexes = [
            # The unit's candidate list by stage (views.housing_first).
            models.Index(fields=["unit", "stage", "proposed_on"], name="referrals_hf_candidate_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.proposed_on:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.client


class CandidateAssessment(models.Model):
    """The working group's notes on a candidate at one meeting. Never changed
    once written; a later meeting writes a new row."""

    class Recommendation(models.TextChoices):
        RECOMMEND = "recommend", _("Recommended to the steering group")
        NOT_NOW = "not_now", _("Not recommended now")
        MORE_INFO = "more_info", _("More information needed")

    candidate = models.ForeignKey(
        HousingFirstCandidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="assessments"
    )
    met_on = models.DateField(_("meeting date"))
    notes = models.TextField(_("the working group's notes"))
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("working group assessment")
        verbose_name_plural = _("working group assessments")
        ordering = ["met_on", "id"]

    def __str__(self):
        return f"{self.met_on:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.candidate.client


class SteeringDecision(models.Model):
    """The steering group's decision on a date: the priority order of the
    candidates (SteeringPriority rows). Every decision is kept; the newest is
    in force, the older ones are the history."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))
    notes = models.TextField(_("minutes"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("steering group decision")
        verbose_name_plural = _("steering group decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.decided_on:%Y-%m-%d}"


class SteeringPriority(models.Model):
    steering_decision = models.ForeignKey(
        SteeringDecision, verbose_name=_("steering group decision"), on_delete=models.CASCADE, related_name="priorities"
    )
    candidate = models.ForeignKey(
        HousingFirstCandidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="priorities"
    )
    position = models.PositiveSmallIntegerField(_("place in the priority order"))

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["steering_decision", "position"]
        constraints = [
            # services.housing_first.record_steering_decision numbers 1..n.
            models.UniqueConstraint(fields=["steering_decision", "position"], name="referrals_hf_priority_position"),
            models.UniqueConstraint(fields=["steering_decision", "candidate"], name="referrals_hf_priority_candidate"),
        ]

    def __str__(self):
        return str(self.position)

    @property
    def audit_client(self):
        return self.candidate.client
