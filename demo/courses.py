"""Demo housing courses: a round in spring and one in autumn per unit for
the tenants who moved in recently, four sessions a week apart, about six
participants; most attend everything, some make a session up, a few drop
out and take the next round. Enrolment.completed_on, which the services
derive (bolots.services.courses.completion_date), is set here. Plain rows written
with demo.bulk.copy_rows."""

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.roles import Role
from bolots.models import DEFAULT_SESSION_TOPICS, SESSIONS_PER_ROUND, Attendance, CourseRound, CourseSession, Enrolment

from .bulk import copy_rows, reserve_keys
from .context import DemoContext, first_year
from .housing_search import training_stays

TZ = ZoneInfo(settings.TIME_ZONE)

COURSE_MONTHS = (3, 10)  # spring and autumn rounds
COURSE_PLACES = ("Boendeenhetens samlingslokal", "Träffpunkten, Storgatan 3", "Kommunhusets konferensrum")
COURSE_CAPACITY = 6
COURSE_MINIMUM = 4
COURSE_LONGEST_WAIT = 150  # days since the move-in
COURSE_START_TIME = clock(13, 0)
ATTENDED_SHARE = 0.9
MADE_UP_SHARE = 0.6
# A round is planned this far ahead at most.
COURSE_HORIZON = timedelta(days=120)


def _round_start(year: int, month: int) -> date:
    """The first Tuesday of the month."""
    day = date(year, month, 1)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def build(ctx: DemoContext, now: datetime) -> None:
    rng, today = ctx.rng, ctx.today
    topics = [str(topic) for topic in DEFAULT_SESSION_TOPICS]
    new_tenants = {}  # unit id -> [(move-in day, client id)] of first training stays
    for client_id, stays in training_stays(ctx).items():
        unit_id, start = stays[0][0], stays[0][1]
        if start >= date(first_year(ctx), 1, 1) - timedelta(days=120):
            new_tenants.setdefault(unit_id, []).append((start, client_id))
    rounds, leaders, sessions, enrolments, attendances = [], [], [], [], []
    for unit in ctx.units:
        pilots = ctx.users_by_unit.get(unit.pk, {}).get(Role.PILOT) or []
        tenants = sorted(new_tenants.get(unit.pk, []))
        if len(pilots) < 2 or not tenants:
            continue
        waiting = []  # (move-in day, client id) still to take the course
        position = 0
        for year in range(first_year(ctx), today.year + 2):
            for month in COURSE_MONTHS:
                starts_on = _round_start(year, month)
                if starts_on > today + COURSE_HORIZON:
                    break
                # Tenants who have moved in by a month after the start.
                while position < len(tenants) and tenants[position][0] <= starts_on + timedelta(days=30):
                    waiting.append(tenants[position])
                    position += 1
                # A round needs a few participants, unless someone has waited long.
                if len(waiting) < COURSE_MINIMUM and not (
                    waiting and waiting[0][0] <= starts_on - timedelta(days=COURSE_LONGEST_WAIT)
                ):
                    continue
                participants, waiting = waiting[:COURSE_CAPACITY], waiting[COURSE_CAPACITY:]
                dropped = _course_round(rng, unit, starts_on, pilots, [client for _day, client in participants],
                                        topics, today, rounds, leaders, sessions, enrolments, attendances)
                moved_in = {client: day for day, client in participants}
                waiting = sorted([(moved_in[client], client) for client in dropped] + waiting)
    _write_courses(rounds, leaders, sessions, enrolments, attendances, now)
    completed = sum(1 for row in enrolments if row[4] is not None)
    ctx.log(f"Skapade {len(rounds)} boendekurser med {len(enrolments)} deltagare ({completed} har fullföljt).")


def _course_round(rng, unit, starts_on, pilots, participants, topics, today,
                  rounds, leaders, sessions, enrolments, attendances):
    """One round with its sessions, enrolments and the attendance recorded
    so far. Returns the participants who did not complete and will take the
    next round."""
    round_index = len(rounds)
    rounds.append((unit.pk, starts_on, rng.choice(COURSE_PLACES), COURSE_CAPACITY))
    for pilot in rng.sample(pilots, 2):
        leaders.append((round_index, pilot.pk))
    days = [starts_on + timedelta(weeks=number) for number in range(SESSIONS_PER_ROUND)]
    first_session = len(sessions)
    for number, day in enumerate(days, start=1):
        sessions.append((round_index, number, day, COURSE_START_TIME, 120, topics[number - 1]))
    dropped = []
    for client_id in participants:
        enrolled_on = min(starts_on - timedelta(days=7 + int(rng.random() * 30)), today)
        counted = []
        marks = []
        for number, day in enumerate(days):
            if day > today:
                counted.append(None)
                continue
            if rng.random() < ATTENDED_SHARE:
                marks.append((first_session + number, True, None))
                counted.append(day)
                continue
            made_up = day + timedelta(days=3 + int(rng.random() * 12))
            if rng.random() < MADE_UP_SHARE and made_up <= today:
                marks.append((first_session + number, False, made_up))
                counted.append(made_up)
            else:
                marks.append((first_session + number, False, None))
                counted.append(None)
        # As bolots.services.courses.completion_date: the last day needed, once all count.
        completed_on = max(counted) if all(counted) else None
        enrolment_index = len(enrolments)
        enrolments.append([round_index, client_id, enrolled_on, None, completed_on])
        for session_index, attended, made_up in marks:
            attendances.append((enrolment_index, session_index, attended, made_up))
        if completed_on is None and days[-1] <= today:
            dropped.append(client_id)
    return dropped


def _write_courses(rounds, leaders, sessions, enrolments, attendances, now):
    round_keys = reserve_keys(CourseRound, len(rounds))
    copy_rows(CourseRound, ("id", "unit_id", "starts_on", "place", "capacity", "created_at", "version"), (
        (key, unit_id, starts_on, place, capacity,
         datetime.combine(starts_on - timedelta(days=45), clock(10), TZ).astimezone(UTC), 1)
        for key, (unit_id, starts_on, place, capacity) in zip(round_keys, rounds, strict=True)
    ))
    copy_rows(CourseRound.leaders.through, ("courseround_id", "user_id"),
              ((round_keys[index], user_id) for index, user_id in leaders))
    session_keys = reserve_keys(CourseSession, len(sessions))
    copy_rows(CourseSession, ("id", "round_id", "number", "held_on", "starts_at", "minutes", "topic"), (
        (key, round_keys[index], *rest) for key, (index, *rest) in zip(session_keys, sessions, strict=True)
    ))
    enrolment_keys = reserve_keys(Enrolment, len(enrolments))
    copy_rows(Enrolment, ("id", "round_id", "client_id", "enrolled_on", "completed_on", "version"), (
        (key, round_keys[index], client_id, enrolled_on, completed_on, 1)
        for key, (index, client_id, enrolled_on, _unused, completed_on) in zip(enrolment_keys, enrolments, strict=True)
    ))
    copy_rows(Attendance, ("enrolment_id", "session_id", "attended", "made_up_on"), (
        (enrolment_keys[enrolment], session_keys[session], attended, made_up)
        for enrolment, session, attended, made_up in attendances
    ))
