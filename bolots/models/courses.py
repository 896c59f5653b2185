"""The housing course (boendekurs): rounds of four two-hour sessions for
about six participants, led by bolotsar, and the certificate on completion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel
from referrals.models import Client

SESSIONS_PER_ROUND = 4
DEFAULT_CAPACITY = 6
SESSION_MINUTES = 120

# The topics of the four sessions, editable per round.
DEFAULT_SESSION_TOPICS = (
    _("What a training apartment under the Social Services Act means, and the bolots's role"),
    _("House rules: living with neighbours, the landlord and the contract"),
    _("The housing shortage and how to search for housing"),
    _("Expectations and own goals; budget and debt advice"),
)


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Courses are the unit's: every role working with clients in the
        unit sees its rounds (participants' details follow client access)."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        return self.filter(unit_id=user.unit_id)


class CourseRound(VersionedModel):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="course_rounds")
    starts_on = models.DateField(_("start date"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("places"), default=DEFAULT_CAPACITY)
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("leaders"), related_name="course_rounds_led")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course round")
        verbose_name_plural = _("course rounds")
        ordering = ["-starts_on"]
        constraints = [
            # forms.courses.RoundForm (min_value=1) gives the message;
            # services.courses.enrol compares the enrolled count with it.
            models.CheckConstraint(condition=Q(capacity__gte=1), name="bolots_course_capacity_positive"),
        ]

    def __str__(self):
        return f"{_('Housing course')} {self.starts_on:%Y-%m-%d}"


class CourseSession(models.Model):
    round = models.ForeignKey(CourseRound, verbose_name=_("course round"), on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session"))
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=SESSION_MINUTES)
    topic = models.CharField(_("topic"), max_length=300)

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["round", "number"]
        constraints = [
            # services.courses.create_round makes sessions 1..SESSIONS_PER_ROUND
            # once; record_attendance and the certificate list them by number.
            models.UniqueConstraint(fields=["round", "number"], name="bolots_session_unique_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=SESSIONS_PER_ROUND), name="bolots_session_number_range"
            ),
        ]

    def __str__(self):
        return f"{self.number}: {self.topic}"


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Enrolments in the rounds of the user's unit whose participant the
        user may see (ClientQuerySet.visible_to): a bolots sees the
        participants among the clients of their orders."""
        return self.filter(
            round__in=CourseRound.objects.visible_to(user), client__in=Client.objects.visible_to(user)
        )

    def completed(self):
        return self.filter(completed_on__isnull=False)


class Enrolment(VersionedModel):
    round = models.ForeignKey(CourseRound, verbose_name=_("course round"), on_delete=models.PROTECT, related_name="enrolments")
    client = models.ForeignKey(Client, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="course_enrolments")
    enrolled_on = models.DateField(_("enrolled on"))
    # Derived by the attendance service: the date of the last session (or
    # make-up) needed to have all four; KPI 4 counts completions by it.
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["client__last_name", "client__first_name"]
        constraints = [
            # services.courses.enrol checks first with a message; two
            # enrolments would count one client twice against the capacity.
            models.UniqueConstraint(fields=["round", "client"], name="bolots_enrolment_once_per_round"),
        ]
        indexes = [
            # Has the client completed a course: EnrolmentQuerySet.completed()
            # by client in services.courses (eligible_clients, enrol,
            # tenants_without_course) and reports.kpis.housing.course_completed.
            models.Index(fields=["client", "completed_on"], name="bolots_enrolment_done_idx"),
        ]

    def __str__(self):
        return f"{self.client} – {self.round}"

    @property
    def audit_client(self):
        return self.client


class Attendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(CourseSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendances")
    attended = models.BooleanField(_("attended"), default=False)
    # A missed session made up individually counts as attended on this date.
    made_up_on = models.DateField(_("made up on"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            # services.courses.record_attendance updates the row it finds by
            # (enrolment, session) or creates it; _update_completion maps rows
            # by session, so a second row would be ignored.
            models.UniqueConstraint(fields=["enrolment", "session"], name="bolots_attendance_once"),
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.session_id}"

    @property
    def counts(self):
        return self.attended or self.made_up_on is not None

    @property
    def audit_client(self):
        return self.enrolment.client
