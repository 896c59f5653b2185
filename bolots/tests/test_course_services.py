"""The housing course's rules: a round and its four sessions, who may be
enrolled, places, and the completion date with make-ups (worked out by hand
in each case)."""

from datetime import date, time

import pytest
from django.db.models import F

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from bolots.models import DEFAULT_SESSION_TOPICS, Attendance, CourseRound, CourseSession, Enrolment
from bolots.services import courses as services
from referrals.models import DecisionKind, DecisionOutcome
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import make_pilot
from tenancies.models import ApartmentKind
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, granted_decision

from .factories import attend_directly, enrol_directly, make_course_round, training_tenancy

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("pilot")]

TODAY = date(2026, 5, 20)
# The sessions of a round starting 2026-03-02: 03-02, 03-09, 03-16, 03-23.
START = date(2026, 3, 2)



@pytest.fixture
def course(unit, pilot):
    return make_course_round(unit, [pilot], START)


def waiting_client(unit):
    client = ClientFactory(unit=unit)
    granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2026, 4, 1))
    return client


# --- Rounds and sessions ---------------------------------------------------------------------


def test_a_new_round_gets_four_two_hour_sessions_a_week_apart(ctx, pilot, second_pilot, unit):
    course_round = services.create_round(
        ctx, CourseRound(starts_on=date(2026, 9, 7), place="Träffpunkten", capacity=6),
        leaders=[pilot, second_pilot], starts_at=time(13, 30),
    )

    sessions = list(course_round.sessions.order_by("number"))
    assert [(s.number, s.held_on, s.starts_at, s.minutes) for s in sessions] == [
        (1, date(2026, 9, 7), time(13, 30), 120),
        (2, date(2026, 9, 14), time(13, 30), 120),
        (3, date(2026, 9, 21), time(13, 30), 120),
        (4, date(2026, 9, 28), time(13, 30), 120),
    ]
    # The topics of DOMAIN.md, stored in Swedish so that they can be edited.
    assert [s.topic for s in sessions] == [str(topic) for topic in DEFAULT_SESSION_TOPICS]
    assert sessions[2].topic == "Bostadsbristen och hur man söker bostad"
    assert course_round.unit == unit
    assert set(course_round.leaders.all()) == {pilot, second_pilot}
    row = AccessLogEntry.objects.get(object_type="bolots.courseround")
    assert (row.action, row.client_id) == (AccessAction.CREATE, None)


@pytest.mark.parametrize("who", ["nobody", "case_officer", "other_unit_pilot"])
def test_the_leaders_are_bolotsar_of_the_unit(ctx, case_officer, other_unit, who):
    leaders = {
        "nobody": [],
        "case_officer": [case_officer],
        "other_unit_pilot": [make_pilot(other_unit, "bolots_annan")],
    }[who]

    with pytest.raises(services.CourseError) as refused:
        services.create_round(ctx, CourseRound(starts_on=START, place="Träffpunkten"), leaders=leaders,
                              starts_at=time(13))

    assert refused.value.field == "leaders"
    assert not CourseRound.objects.exists()


def edited_round(course_round):
    """Fresh copies of the round and its sessions, as the edit forms hold them."""
    course_round = CourseRound.objects.get(pk=course_round.pk)
    sessions = list(CourseSession.objects.filter(round=course_round).order_by("number"))
    return course_round, sessions, course_round.version


def test_topics_and_dates_are_editable_with_history(ctx, course, pilot):
    course_round, sessions, loaded = edited_round(course)
    sessions[1].topic = "Ordningsregler och grannsämja"
    sessions[3].held_on = date(2026, 3, 26)
    course_round.place = "Biblioteket"

    services.update_round(ctx, course_round, sessions, leaders=[pilot], today=TODAY, expected_version=loaded)

    assert CourseSession.objects.get(round=course, number=2).topic == "Ordningsregler och grannsämja"
    assert CourseSession.objects.get(round=course, number=4).held_on == date(2026, 3, 26)
    changes = {(c.object_type, c.field, c.old_value, c.new_value) for c in FieldChange.objects.all()}
    assert changes == {
        ("bolots.courseround", "place", "Träffpunkten", "Biblioteket"),
        ("bolots.coursesession", "topic", str(DEFAULT_SESSION_TOPICS[1]), "Ordningsregler och grannsämja"),
        ("bolots.coursesession", "held_on", "2026-03-23", "2026-03-26"),
    }
    row = AccessLogEntry.objects.get(action=AccessAction.UPDATE)
    assert row.note == "place, 2.topic, 4.held_on"


def test_moving_a_session_moves_the_completion_date(ctx, course, pilot, client_record):
    enrolment = enrol_directly(course, client_record)
    for number in (1, 2, 3, 4):
        attend_directly(enrolment, number)
    course_round, sessions, loaded = edited_round(course)
    sessions[3].held_on = date(2026, 3, 30)

    services.update_round(ctx, course_round, sessions, leaders=[pilot], today=TODAY, expected_version=loaded)

    enrolment.refresh_from_db()
    assert enrolment.completed_on == date(2026, 3, 30)


def test_places_cannot_be_fewer_than_the_participants(ctx, course, pilot, unit):
    for _ in range(3):
        enrol_directly(course, ClientFactory(unit=unit))
    course_round, sessions, loaded = edited_round(course)
    course_round.capacity = 2

    with pytest.raises(services.CourseError) as refused:
        services.update_round(ctx, course_round, sessions, leaders=[pilot], today=TODAY, expected_version=loaded)

    assert refused.value.field == "capacity"
    assert CourseRound.objects.get(pk=course.pk).capacity == 6


def test_a_session_cannot_come_before_the_previous_one(ctx, course, pilot):
    course_round, sessions, loaded = edited_round(course)
    sessions[2].held_on = date(2026, 3, 8)  # before session 2 on 2026-03-09

    with pytest.raises(services.CourseError) as refused:
        services.update_round(ctx, course_round, sessions, leaders=[pilot], today=TODAY, expected_version=loaded)

    assert refused.value.field == "session-3"
    assert CourseSession.objects.get(round=course, number=3).held_on == date(2026, 3, 16)


def test_an_edit_over_someone_elses_save_is_refused(ctx, course, pilot):
    course_round, sessions, loaded = edited_round(course)
    CourseRound.objects.filter(pk=course.pk).update(place="Någon annans ändring", version=F("version") + 1)
    course_round.place = "Min ändring"

    with pytest.raises(ConcurrentEditError):
        services.update_round(ctx, course_round, sessions, leaders=[pilot], today=TODAY, expected_version=loaded)

    assert CourseRound.objects.get(pk=course.pk).place == "Någon annans ändring"


# --- Who may be enrolled -------------------------------------------------------------------------


def eligibility_cases(unit, other_unit):
    """{label: (client, expected eligible on TODAY = 2026-05-20)}."""
    cases = {}

    def case(label, eligible, client=None):
        cases[label] = (client or ClientFactory(unit=unit), eligible)
        return cases[label][0]

    case("waiting for a training apartment", True, waiting_client(unit))
    rejected = case("training apartment rejected", False)
    decision = granted_decision(rejected, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2026, 4, 1))
    decision.outcome = DecisionOutcome.REJECTED
    decision.save()
    closed = case("waiting decision closed", False)
    granted_decision(closed, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2026, 1, 1),
                     closed_on=date(2026, 2, 1), close_reason="Flyttade")
    trial = case("waiting for a trial apartment", False)
    granted_decision(trial, kind=DecisionKind.TRIAL_APARTMENT, decided_on=date(2026, 4, 1))
    # Six calendar months before 2026-05-20 is 2025-11-20.
    training_tenancy(case("moved in 2025-11-20, moved out", True), date(2025, 11, 20), date(2026, 1, 31))
    training_tenancy(case("moved in 2025-11-19, moved out", False), date(2025, 11, 19), date(2026, 1, 31))
    training_tenancy(case("active since 2024, no course", True), date(2024, 2, 1))
    done = case("active since 2024, course completed", False)
    training_tenancy(done, date(2024, 2, 1))
    enrol_directly(make_course_round(unit, [], date(2024, 3, 4)), done, completed_on=date(2024, 3, 25))
    TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL),
                   client=case("active in a trial apartment", False), start_date=date(2026, 4, 1))
    case("not a client of the unit", False, waiting_client(other_unit))
    return cases


def test_who_may_be_enrolled(case_officer, unit, other_unit):
    cases = eligibility_cases(unit, other_unit)

    eligible = set(services.eligible_clients(case_officer, TODAY))

    assert {label for label, (client, _e) in cases.items() if client in eligible} == {
        label for label, (_c, expected) in cases.items() if expected
    }


def test_enrolment_is_logged(ctx, course, case_officer, unit):
    client = waiting_client(unit)
    officer_ctx = AuditContext(user=case_officer, path="/test/")

    enrolment = services.enrol(officer_ctx, course, client, TODAY)

    assert (enrolment.round, enrolment.client, enrolment.enrolled_on, enrolment.completed_on) == (
        course, client, TODAY, None,
    )
    row = AccessLogEntry.objects.get(object_type="bolots.enrolment")
    assert (row.action, row.client_id, row.user) == (AccessAction.CREATE, client.pk, case_officer)


def test_enrolment_is_refused_beyond_the_places(case_officer, unit, pilot):
    course_round = make_course_round(unit, [pilot], START, capacity=2)
    ctx = AuditContext(user=case_officer, path="/test/")
    services.enrol(ctx, course_round, waiting_client(unit), TODAY)
    services.enrol(ctx, course_round, waiting_client(unit), TODAY)

    with pytest.raises(services.CourseError) as refused:
        services.enrol(ctx, course_round, waiting_client(unit), TODAY)

    assert refused.value.code == "full"
    assert Enrolment.objects.filter(round=course_round).count() == 2


def test_enrolment_is_refused_twice(case_officer, course, unit, pilot):
    ctx = AuditContext(user=case_officer, path="/test/")
    client = waiting_client(unit)
    services.enrol(ctx, course, client, TODAY)

    with pytest.raises(services.CourseError) as twice:
        services.enrol(ctx, course, client, TODAY)
    assert twice.value.code == "enrolled_twice"

    # Nor once more in another round after completing the course.
    Enrolment.objects.filter(client=client).update(completed_on=date(2026, 3, 23))
    with pytest.raises(services.CourseError) as again:
        services.enrol(ctx, make_course_round(unit, [pilot], date(2026, 6, 1)), client, TODAY)
    assert again.value.code == "already_completed"
    assert "2026-03-23" in again.value.messages[0]


def test_only_eligible_clients_the_user_may_see_are_enrolled(case_officer, second_pilot, course, unit):
    not_eligible = ClientFactory(unit=unit)
    waiting = waiting_client(unit)

    with pytest.raises(services.CourseError) as refused:
        services.enrol(AuditContext(user=case_officer, path="/"), course, not_eligible, TODAY)
    assert refused.value.code == "not_eligible"
    # A bolots not assigned to the client does not see them.
    with pytest.raises(services.CourseError):
        services.enrol(AuditContext(user=second_pilot, path="/"), course, waiting, TODAY)
    assert not Enrolment.objects.exists()


def test_candidates_leave_out_the_enrolled_and_the_completed(case_officer, course, unit, pilot):
    enrolled, completed, free = waiting_client(unit), waiting_client(unit), waiting_client(unit)
    enrol_directly(course, enrolled)
    enrol_directly(make_course_round(unit, [pilot], date(2025, 9, 1)), completed, completed_on=date(2025, 9, 22))

    assert list(services.enrolment_candidates(case_officer, course, TODAY)) == [free]


# --- Completion --------------------------------------------------------------------------------


def sessions_of(course_round):
    return list(course_round.sessions.order_by("number"))


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        # All four attended: the last session, 2026-03-23.
        ({1: True, 2: True, 3: True, 4: True}, date(2026, 3, 23)),
        # Session 2 missed, made up 2026-03-30 after the last session: the make-up.
        ({1: True, 2: date(2026, 3, 30), 3: True, 4: True}, date(2026, 3, 30)),
        # Session 4 missed, made up 2026-03-25: the make-up.
        ({1: True, 2: True, 3: True, 4: date(2026, 3, 25)}, date(2026, 3, 25)),
        # Session 1 missed, made up 2026-03-05: the last session (03-23) is later.
        ({1: date(2026, 3, 5), 2: True, 3: True, 4: True}, date(2026, 3, 23)),
        # Two made up: 2026-04-02 and 2026-03-28; the later one.
        ({1: True, 2: date(2026, 4, 2), 3: date(2026, 3, 28), 4: True}, date(2026, 4, 2)),
        # Session 3 missed and not made up: not completed.
        ({1: True, 2: True, 3: False, 4: True}, None),
        # Session 4 not recorded at all: not completed.
        ({1: True, 2: True, 3: True}, None),
    ],
)
def test_completion_date(course, client_record, marks, expected):
    enrolment = enrol_directly(course, client_record)
    sessions = sessions_of(course)
    for number, mark in marks.items():
        if isinstance(mark, date):
            attend_directly(enrolment, number, attended=False, made_up_on=mark)
        else:
            attend_directly(enrolment, number, attended=mark)
    attendances = {row.session_id: row for row in enrolment.attendances.all()}

    assert services.completion_date(sessions, attendances) == expected


def grid(enrolment, marks):
    """Service marks {(enrolment id, session id): (attended, made up on)} from {number: mark}."""
    sessions = {session.number: session for session in enrolment.round.sessions.all()}
    return {
        (enrolment.pk, sessions[number].pk): (mark is True, mark if isinstance(mark, date) else None)
        for number, mark in marks.items()
    }


def test_recording_attendance_sets_and_clears_the_completion_date(ctx, course, client_record):
    enrolment = enrol_directly(course, client_record)

    services.record_attendance(ctx, course, grid(enrolment, {1: True, 2: True, 3: True}), today=TODAY)
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None

    # Session 4 missed, made up on 2026-03-27: complete on the make-up day.
    services.record_attendance(ctx, course, grid(enrolment, {4: date(2026, 3, 27)}), today=TODAY)
    enrolment.refresh_from_db()
    assert enrolment.completed_on == date(2026, 3, 27)

    # Session 2 was entered by mistake: taking it back clears the completion.
    services.record_attendance(ctx, course, grid(enrolment, {2: False}), today=TODAY)
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None
    assert Attendance.objects.filter(enrolment=enrolment).count() == 4, "the row is kept, unticked"

    history = [(c.object_type, c.field, c.old_value, c.new_value) for c in FieldChange.objects.order_by("id")]
    assert history == [
        ("bolots.enrolment", "completed_on", "", "2026-03-27"),
        ("bolots.attendance", "attended", "Ja", "Nej"),
        ("bolots.enrolment", "completed_on", "2026-03-27", ""),
    ]
    rows = AccessLogEntry.objects.filter(object_type="bolots.enrolment").order_by("id")
    assert [(row.action, row.client_id, row.note) for row in rows] == [
        (AccessAction.UPDATE, client_record.pk, "attendance 1, 2, 3"),
        (AccessAction.UPDATE, client_record.pk, "attendance 4"),
        (AccessAction.UPDATE, client_record.pk, "attendance 2"),
    ]


@pytest.mark.parametrize(
    ("number", "mark", "today", "message"),
    [
        (4, True, date(2026, 3, 22), "Träffen är 2026-03-23: närvaro kan registreras från den dagen."),
        (2, date(2026, 3, 8), TODAY, "Igentagningen kan inte vara före träffen som tas igen (2026-03-09)."),
        (2, date(2026, 5, 21), TODAY, "Datumet kan inte ligga i framtiden."),
    ],
)
def test_impossible_attendance_is_refused(ctx, course, client_record, number, mark, today, message):
    enrolment = enrol_directly(course, client_record)

    with pytest.raises(services.CourseError) as refused:
        services.record_attendance(ctx, course, grid(enrolment, {1: True, number: mark}), today=today)

    assert refused.value.messages == [message]
    assert not Attendance.objects.exists(), "nothing is half-saved"


def test_attendance_over_someone_elses_save_is_refused(ctx, course, client_record):
    enrolment = enrol_directly(course, client_record)
    loaded = {enrolment.pk: enrolment.version}
    attend_directly(enrolment, 1)

    with pytest.raises(ConcurrentEditError):
        services.record_attendance(ctx, course, grid(enrolment, {2: True}), today=TODAY, expected_versions=loaded)

    assert Attendance.objects.count() == 1


def test_attendance_of_another_rounds_participant_is_refused(ctx, course, unit, pilot, client_record):
    other = enrol_directly(make_course_round(unit, [pilot], date(2026, 4, 6)), client_record)
    session = course.sessions.get(number=1)

    with pytest.raises(services.CourseError):
        services.record_attendance(ctx, course, {(other.pk, session.pk): (True, None)}, today=TODAY)


def test_a_user_without_a_unit_cannot_create_rounds(pilot):
    loner = UserFactory(unit=None, roles=[Role.PILOT])

    with pytest.raises(services.CourseError):
        services.create_round(AuditContext(user=loner), CourseRound(starts_on=START, place="X"), leaders=[pilot],
                              starts_at=time(13))
