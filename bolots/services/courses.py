"""The housing course (boendekurs): rounds and their four sessions,
enrolment, attendance and completion, and the tenants who still lack it.

Each write runs in one transaction under a lock on the round's row, and
writes its access-log rows and field history there. Refused writes raise
CourseError with a Swedish message for the user (and the field it is about).

Completion is derived, never typed: Enrolment.completed_on is the date of
the last session (or make-up) needed to have all four, recomputed here
whenever attendance or the sessions' dates change. KPI 4 counts it.

Edits take the optimistic lock of audit.versioning: the round's edit form
carries the round's version (the sessions are edited only with it), the
attendance grid the versions of the participants it shows (an enrolment's
version moves when its attendance is saved); a save over a newer version
raises ConcurrentEditError and nothing is written.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked, write_fields
from audit.versioning import ConcurrentEditError
from core.calendar import add_months
from core.rules import RuleError
from referrals.models import Client, Decision, DecisionKind
from referrals.services.orders import unit_pilots
from tenancies.models import ApartmentKind, Tenancy

from ..models import DEFAULT_SESSION_TOPICS, SESSIONS_PER_ROUND, Attendance, CourseRound, CourseSession, Enrolment

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence
    from datetime import date, datetime

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext

# A tenant who moved into a training apartment within this many calendar
# months is a "new tenant" for the course.
RECENT_MOVE_IN_MONTHS = 6
SESSION_INTERVAL = timedelta(weeks=1)

ROUND_FIELDS = ["starts_on", "place", "capacity", "leaders"]
SESSION_FIELDS = ["held_on", "starts_at", "topic"]


class CourseError(RuleError):
    """The rules refuse the write (core.rules)."""


def _date(day: date) -> str:
    return day.strftime("%Y-%m-%d")


# --- Rounds and sessions ---------------------------------------------------------------------


def session_dates(starts_on: date) -> list[date]:
    """The default dates of the four sessions: the start date and a week apart."""
    return [starts_on + SESSION_INTERVAL * i for i in range(SESSIONS_PER_ROUND)]


def _check_leaders(unit_id: int, leaders: Collection[User]) -> None:
    if not leaders:
        raise CourseError(_("Choose at least one leader."), code="no_leader", field="leaders")
    allowed = set(unit_pilots(unit_id).values_list("pk", flat=True))
    if any(leader.pk not in allowed for leader in leaders):
        raise CourseError(_("The leaders must be bolotsar of the unit."), code="leader_outside", field="leaders")


@transaction.atomic
def create_round(
    ctx: AuditContext, course_round: CourseRound, *, leaders: Iterable[User], starts_at: datetime,
) -> CourseRound:
    """A new round in the acting user's unit with its four two-hour sessions:
    the default topics, the start date and then a week apart, at `starts_at`."""
    if not ctx.user.unit_id:
        raise CourseError(_("A user without a unit cannot create course rounds."), code="no_unit")
    _check_leaders(ctx.user.unit_id, leaders)
    course_round.unit_id = ctx.user.unit_id
    course_round.save()
    course_round.leaders.set(leaders)
    CourseSession.objects.bulk_create(
        [
            CourseSession(round=course_round, number=number, held_on=held_on, starts_at=starts_at, topic=str(topic))
            for number, (held_on, topic) in enumerate(
                zip(session_dates(course_round.starts_on), DEFAULT_SESSION_TOPICS, strict=True), start=1
            )
        ]
    )
    log_access(ctx, AccessAction.CREATE, course_round)
    return course_round


def _check_session_order(sessions: Sequence[CourseSession]) -> None:
    for earlier, later in zip(sessions, sessions[1:], strict=False):
        if later.held_on < earlier.held_on:
            raise CourseError(
                _("Session %(number)s cannot be before session %(previous)s (%(date)s).")
                % {"number": later.number, "previous": earlier.number, "date": _date(earlier.held_on)},
                code="session_order",
                field=f"session-{later.number}",
            )


def _check_moved_sessions(stored: Iterable[CourseSession], edited: Iterable[CourseSession], today: date) -> None:
    """A session with attendance recorded cannot move into the future: it has
    been held."""
    counted = set(
        Attendance.objects.filter(session__in=stored)
        .filter(Q(attended=True))
        .values_list("session_id", flat=True)
    )
    for session in edited:
        if session.pk in counted and session.held_on > today:
            raise CourseError(
                _("Attendance is recorded for session %(number)s, so its date cannot be in the future.")
                % {"number": session.number},
                code="held_session_moved",
                field=f"session-{session.number}",
            )


@transaction.atomic
def update_round(
    ctx: AuditContext, course_round: CourseRound, sessions: Sequence[CourseSession], *,
    leaders: Iterable[User], today: date, expected_version: int,
) -> CourseRound:
    """Save the edited round (start date, place, capacity, leaders) and its
    sessions (date, time, topic); the participants' completion dates follow
    the sessions' dates."""
    with_leaders = CourseRound.objects.prefetch_related("leaders")
    sessions = sorted(sessions, key=lambda session: session.number)
    stored_sessions = []

    def check(stored: CourseRound) -> None:
        stored_sessions.extend(CourseSession.objects.filter(round=stored).order_by("number"))
        _check_leaders(stored.unit_id, leaders)
        enrolled = Enrolment.objects.filter(round=stored).count()
        if course_round.capacity < enrolled:
            raise CourseError(
                _("%(count)s participants are enrolled: the places cannot be fewer.") % {"count": enrolled},
                code="capacity_below_enrolled",
                field="capacity",
            )
        _check_session_order(sessions)
        _check_moved_sessions(stored_sessions, sessions, today)

    def save() -> None:
        course_round.save()
        course_round.leaders.set(leaders)

    # The round's access-log row names the sessions' changes too: written below.
    course_round, changes = save_tracked(
        ctx, course_round, ROUND_FIELDS, expected_version=expected_version, stored=with_leaders, check=check,
        save=save, reread=with_leaders, log=False,
    )
    changed_fields = [change.field for change in changes]
    dates_moved = False
    by_pk = {session.pk: session for session in stored_sessions}
    for session in sessions:
        session_changes = save_tracked(ctx, session, SESSION_FIELDS, stored=by_pk[session.pk], log=False).changes
        changed_fields += [f"{session.number}.{change.field}" for change in session_changes]
        dates_moved = dates_moved or any(change.field == "held_on" for change in session_changes)
    log_access(ctx, AccessAction.UPDATE, course_round, note=", ".join(changed_fields))
    if dates_moved:
        for enrolment in Enrolment.objects.filter(round=course_round).select_related("client"):
            _update_completion(ctx, enrolment, sessions)
    return course_round


# --- Enrolment ---------------------------------------------------------------------------------


def eligible_clients(user: User, today: date) -> QuerySet[Client]:
    """The clients `user` may see who are to take the course: those waiting
    for a training apartment (a granted, unexecuted training-apartment
    decision), those who moved into one within RECENT_MOVE_IN_MONTHS, and
    every tenant of a training apartment without a completed course."""
    waiting = Decision.objects.not_executed().filter(client=OuterRef("pk"), kind=DecisionKind.TRAINING_APARTMENT)
    training = Tenancy.objects.filter(client=OuterRef("pk"), apartment__kind=ApartmentKind.TRAINING)
    recent = training.filter(start_date__gte=add_months(today, -RECENT_MOVE_IN_MONTHS), start_date__lte=today)
    active = training.filter(end_date__isnull=True)
    completed = Enrolment.objects.completed().filter(client=OuterRef("pk"))
    return Client.objects.visible_to(user).filter(
        Q(Exists(waiting)) | Q(Exists(recent)) | (Q(Exists(active)) & ~Q(Exists(completed)))
    )


def enrolment_candidates(user: User, course_round: CourseRound, today: date) -> QuerySet[Client]:
    """Whom `user` may enrol in `course_round`: eligible, not in the round
    already and not having completed the course."""
    return (
        eligible_clients(user, today)
        .exclude(course_enrolments__round=course_round)
        .exclude(Exists(Enrolment.objects.completed().filter(client=OuterRef("pk"))))
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def enrol(ctx: AuditContext, course_round: CourseRound, client: Client, today: date) -> Enrolment:
    """Enrol `client` in `course_round`; refused for a client who is not to
    take the course, beyond the round's places, and twice."""
    course_round = CourseRound.objects.select_for_update().get(pk=course_round.pk)
    if not eligible_clients(ctx.user, today).filter(pk=client.pk).exists():
        raise CourseError(
            _("Only clients who wait for a training apartment or have moved into one can be enrolled."),
            code="not_eligible",
            field="client",
        )
    if Enrolment.objects.filter(round=course_round, client=client).exists():
        raise CourseError(_("The client is already enrolled in this round."), code="enrolled_twice", field="client")
    done = Enrolment.objects.completed().filter(client=client).order_by("completed_on").first()
    if done is not None:
        raise CourseError(
            _("The client completed the housing course on %(date)s.") % {"date": _date(done.completed_on)},
            code="already_completed",
            field="client",
        )
    enrolled = Enrolment.objects.filter(round=course_round).count()
    if enrolled >= course_round.capacity:
        raise CourseError(
            _("The round is full: all %(capacity)s places are taken.") % {"capacity": course_round.capacity},
            code="full",
        )
    enrolment = Enrolment.objects.create(round=course_round, client=client, enrolled_on=today)
    log_access(ctx, AccessAction.CREATE, enrolment)
    return enrolment


# --- Attendance and completion --------------------------------------------------------------------


def counting_date(session: CourseSession, attendance: Attendance | None) -> date | None:
    """The day a session counts as done for a participant: the session's date
    when attended, the make-up date when made up, otherwise None."""
    if attendance is None:
        return None
    if attendance.attended:
        return session.held_on
    return attendance.made_up_on


def completion_date(sessions: Sequence[CourseSession], attendances: Mapping[int, Attendance]) -> date | None:
    """The date of the last session or make-up needed to have all sessions
    (`attendances` by session id); None while one is missing."""
    if len(sessions) < SESSIONS_PER_ROUND:
        return None
    dates = [counting_date(session, attendances.get(session.pk)) for session in sessions]
    if any(day is None for day in dates):
        return None
    return max(dates)


def check_mark(session: CourseSession, attended: bool, made_up_on: date | None, today: date) -> str | None:
    """Why one cell of the attendance grid is refused, or None."""
    if attended and made_up_on:
        return _("A session attended needs no make-up date.")
    if attended and session.held_on > today:
        return _("The session is on %(date)s: attendance can be recorded from that day.") % {
            "date": _date(session.held_on)
        }
    if made_up_on and made_up_on > today:
        return _("The date cannot be in the future.")
    if made_up_on and made_up_on < session.held_on:
        return _("The make-up cannot be before the session it makes up for (%(date)s).") % {
            "date": _date(session.held_on)
        }
    return None


def grid_versions(enrolments: Iterable[Enrolment]) -> str:
    """The versions of the participants an attendance grid shows, as its
    hidden field carries them: "id:version,…"."""
    return ",".join(f"{enrolment.pk}:{enrolment.version}" for enrolment in sorted(enrolments, key=lambda e: e.pk))


def parse_grid_versions(text: str | None) -> dict[int, int]:
    """{enrolment id: version} from grid_versions() text; {} when it is not
    such text (then every participant is a conflict: nothing is overwritten)."""
    try:
        return {int(pk): int(version) for pk, version in (pair.split(":") for pair in (text or "").split(",") if pair)}
    except ValueError:
        return {}


def _check_grid_versions(scope: Collection[int], expected: Mapping[int, int]) -> None:
    stored = dict(Enrolment.objects.filter(pk__in=scope).values_list("pk", "version"))
    if any(expected.get(pk) != version for pk, version in stored.items()):
        raise ConcurrentEditError


def _update_completion(ctx: AuditContext, enrolment: Enrolment, sessions: Sequence[CourseSession]) -> bool:
    attendances = {row.session_id: row for row in Attendance.objects.filter(enrolment=enrolment)}
    completed_on = completion_date(sessions, attendances)
    if completed_on == enrolment.completed_on:
        return False
    before = snapshot(enrolment, ["completed_on"])
    enrolment.completed_on = completed_on
    save_tracked(ctx, enrolment, ["completed_on"], before=before, update_fields=["completed_on"], log=False)
    return True


@transaction.atomic
def record_attendance(
    ctx: AuditContext, course_round: CourseRound,
    marks: Mapping[tuple[int, int], tuple[bool, date | None]], *, today: date,
    expected_versions: Mapping[int, int] | None = None, shown: Collection[int] | None = None,
) -> list[Enrolment]:
    """Record attendance in `course_round`.

    `marks` maps (enrolment id, session id) to (attended, made-up date) for
    the cells the user changed. `expected_versions` are the versions
    ({enrolment id: version}) of the participants `shown` in the grid
    (enrolment ids; by default those in `marks`) when it was opened; saving
    a participant's attendance moves its version on. Every cell is checked
    (check_mark) before the first write; the participants' completion dates
    are recomputed. Returns the enrolments whose attendance changed.
    """
    course_round = CourseRound.objects.select_for_update().get(pk=course_round.pk)
    sessions = list(CourseSession.objects.filter(round=course_round).order_by("number"))
    sessions_by_pk = {session.pk: session for session in sessions}
    enrolment_ids = {enrolment_id for enrolment_id, _session_id in marks}
    enrolments = {
        enrolment.pk: enrolment
        for enrolment in Enrolment.objects.filter(round=course_round, pk__in=enrolment_ids).select_related("client")
    }
    if expected_versions is not None:
        # Under the round's lock: nobody saves this round's attendance meanwhile.
        _check_grid_versions(enrolment_ids if shown is None else set(shown), expected_versions)
    for (enrolment_id, session_id), (attended, made_up_on) in marks.items():
        if enrolment_id not in enrolments or session_id not in sessions_by_pk:
            raise CourseError(_("The participant or the session is not in this round."), code="not_in_round")
        message = check_mark(sessions_by_pk[session_id], attended, made_up_on, today)
        if message:
            raise CourseError(message, code="invalid_mark", field=(enrolment_id, session_id))

    stored = {
        (row.enrolment_id, row.session_id): row
        for row in Attendance.objects.filter(enrolment_id__in=enrolment_ids)
    }
    touched = {}
    for (enrolment_id, session_id), (attended, made_up_on) in marks.items():
        row = stored.get((enrolment_id, session_id))
        if row is None:
            if not attended and made_up_on is None:
                continue
            row = Attendance.objects.create(
                enrolment=enrolments[enrolment_id], session=sessions_by_pk[session_id],
                attended=attended, made_up_on=made_up_on,
            )
            touched.setdefault(enrolment_id, []).append(f"{sessions_by_pk[session_id].number}")
            continue
        # A cell posted as it is stored writes nothing. The marks are the
        # form's cleaned values (a bool, a date or None), so comparing them
        # is comparing what the history would show.
        if (row.attended, row.made_up_on) == (attended, made_up_on):
            continue
        row.enrolment = enrolments[enrolment_id]
        # The row is not versioned: the grid's lock is the enrolments'
        # versions, checked above under the round's lock and moved on below,
        # where the enrolment's access-log row names the sessions.
        write_fields(ctx, row, attended=attended, made_up_on=made_up_on, log=False)
        touched.setdefault(enrolment_id, []).append(f"{sessions_by_pk[session_id].number}")
    for enrolment_id, numbers in touched.items():
        enrolment = enrolments[enrolment_id]
        Enrolment.objects.filter(pk=enrolment.pk).update(version=F("version") + 1)
        enrolment.version += 1
        _update_completion(ctx, enrolment, sessions)
        log_access(ctx, AccessAction.UPDATE, enrolment, note="attendance " + ", ".join(sorted(numbers)))
    return [enrolments[enrolment_id] for enrolment_id in touched]


# --- Lists ----------------------------------------------------------------------------------------


def sessions_counted() -> Count:
    """Annotation: how many sessions an enrolment has attended or made up."""
    return Count("attendances", filter=Q(attendances__attended=True) | Q(attendances__made_up_on__isnull=False))


def tenants_without_course(user: User) -> QuerySet[Tenancy]:
    """Active training-apartment tenancies of clients `user` may see whose
    client has no completed course, longest in the apartment first; each
    client's enrolments in progress in `enrolments_in_progress`."""
    completed = Enrolment.objects.completed().filter(client=OuterRef("client_id"))
    in_progress = (
        Enrolment.objects.filter(completed_on__isnull=True)
        .select_related("round")
        .annotate(sessions_counted=sessions_counted())
        .order_by("-round__starts_on", "-pk")
    )
    return (
        Tenancy.objects.filter(
            end_date__isnull=True,
            apartment__kind=ApartmentKind.TRAINING,
            client__in=Client.objects.visible_to(user),
        )
        .exclude(Exists(completed))
        .select_related("client", "apartment")
        .prefetch_related(Prefetch("client__course_enrolments", queryset=in_progress, to_attr="enrolments_in_progress"))
        .order_by("start_date", "pk")
    )
