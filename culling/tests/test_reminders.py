"""Telling the approvers that a culling list waits (culling.reminders): the
yearly dry run's list is announced in the app and by e-mail to the unit's
managers, then reminded monthly, weekly in the last month before the
deadline and after it, until it is approved; one reminder however often the
job runs; no personal data in the e-mail."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from core.scheduled import DESCRIPTIONS
from culling import reminders
from culling.models import CullingRun, RunTrigger
from culling.services.runs import approve_run, make_run
from culling.tasks import send_culling_reminders, yearly_dry_runs

from .files import date_back, person

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Last entry in 2021: due in 2026, to be culled by 31 December 2027; the
# yearly dry run of 10 January 2027 lists it.
LAST_ENTRY = date(2021, 6, 1)
MADE_ON = date(2027, 1, 10)
DEADLINE = date(2027, 12, 31)


@pytest.fixture
def due_person(unit, case_officer):
    client = person(unit, case_officer, first_name="Påminda", last_name="Fiktivsson")
    date_back(client.pk, LAST_ENTRY)
    return client


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef2", unit=other_unit, roles=[Role.MANAGER])


@pytest.fixture
def yearly_run(unit, due_person):
    return make_run(AuditContext.system(None, "test"), unit, trigger=RunTrigger.SCHEDULED, as_of=MADE_ON)


def _freeze(monkeypatch, day: date, hour: int = 4):
    moment = datetime(day.year, day.month, day.day, hour, 0, tzinfo=STOCKHOLM)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _sent_on(days) -> list[date]:
    sent = []
    for day in days:
        if reminders.remind(day):
            sent.append(day)
    return sent


def test_the_yearly_list_is_announced_to_the_units_approvers_only(
    monkeypatch, django_capture_on_commit_callbacks, users, due_person, other_manager
):
    manager = users["manager"]
    gone = UserFactory(username="chef_slutat", unit=manager.unit, roles=[Role.MANAGER], is_active=False)
    _freeze(monkeypatch, MADE_ON)

    with django_capture_on_commit_callbacks(execute=True):
        made = yearly_dry_runs()

    run = CullingRun.objects.get(pk__in=made, unit=manager.unit)
    notes = list(Notification.objects.all())
    assert [(n.user, n.text, n.url) for n in notes] == [(
        manager,
        f"Den årliga gallringslistan nr {run.pk} är gjord och väntar på ditt godkännande: "
        "1 person ska gallras, senast 2027-12-31.",
        f"/gallring/{run.pk}/",
    )]
    # Case officer, pilots, housing administrator, system administrator, the
    # outsider, the other unit's manager (whose list has nobody due) and a
    # manager who left: nothing.
    assert gone not in [n.user for n in notes] and other_manager not in [n.user for n in notes]
    assert [message.to for message in mail.outbox] == [[manager.email]]
    assert CullingRun.objects.get(pk=run.pk).last_reminded_on == MADE_ON


def test_the_email_names_no_person(monkeypatch, django_capture_on_commit_callbacks, manager, due_person):
    _freeze(monkeypatch, MADE_ON)
    with django_capture_on_commit_callbacks(execute=True):
        yearly_dry_runs()

    (message,) = mail.outbox
    text = f"{message.subject}\n{message.body}"
    assert "gallringslistan nr" in text and "2027-12-31" in text
    for personal in (due_person.first_name, due_person.last_name, due_person.personal_number,
                     due_person.personal_number.replace("-", ""), due_person.birth_date.isoformat()):
        assert personal not in text, personal
    # The one link is the list's page, behind the login and its access rule.
    run = CullingRun.objects.get(unit=manager.unit)
    assert [line for line in message.body.splitlines() if "/" in line] == [
        f"{settings.SITE_URL}/gallring/{run.pk}/"]


def test_running_the_jobs_twice_sends_one_notice(monkeypatch, django_capture_on_commit_callbacks, manager,
                                                 due_person):
    _freeze(monkeypatch, MADE_ON)
    with django_capture_on_commit_callbacks(execute=True):
        made = yearly_dry_runs()
        assert yearly_dry_runs() == made
        _freeze(monkeypatch, MADE_ON, hour=7)
        assert send_culling_reminders() == 0
        assert send_culling_reminders.delay().get() == 0
    assert Notification.objects.filter(user=manager).count() == 1
    assert len(mail.outbox) == 1


def test_a_reminder_is_sent_once_a_day_however_often_the_job_runs(
    django_capture_on_commit_callbacks, manager, yearly_run
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind(MADE_ON) == 1
        assert reminders.remind(MADE_ON) == 0
        day = date(2027, 2, 10)
        assert reminders.remind(day) == 1
        assert reminders.remind(day) == 0
    assert Notification.objects.filter(user=manager).count() == 2
    assert len(mail.outbox) == 2


def test_monthly_then_weekly_in_the_last_month_and_after_the_deadline(manager, yearly_run):
    days = [MADE_ON + timedelta(days=n) for n in range((date(2028, 1, 20) - MADE_ON).days + 1)]

    sent = _sent_on(days)

    monthly = [date(2027, month, 10) for month in range(1, 12)]
    weekly = [date(2027, 12, 1), date(2027, 12, 8), date(2027, 12, 15), date(2027, 12, 22), date(2027, 12, 29),
              date(2028, 1, 5), date(2028, 1, 12), date(2028, 1, 19)]
    assert sent == monthly + weekly
    texts = list(Notification.objects.filter(user=manager).order_by("pk").values_list("text", flat=True))
    number = yearly_run.pk
    assert texts[0].startswith(f"Den årliga gallringslistan nr {number} är gjord")
    assert texts[1] == (f"Gallringslista nr {number} väntar fortfarande på ditt godkännande: "
                        "1 person ska gallras, senast 2027-12-31.")
    assert texts[-1] == (f"Gallringslista nr {number} väntar fortfarande på ditt godkännande: "
                         "1 person ska gallras; sista dagen (2027-12-31) har passerat.")


def test_the_timing_rule():
    due = reminders.reminder_due
    assert due(deadline=DEADLINE, since=None, today=date(2027, 1, 10))
    assert not due(deadline=DEADLINE, since=date(2027, 1, 31), today=date(2027, 2, 27))
    assert due(deadline=DEADLINE, since=date(2027, 1, 31), today=date(2027, 2, 28))
    # The last month before the deadline begins on 1 December.
    assert reminders.last_month_starts(DEADLINE) == date(2027, 12, 1)
    assert not due(deadline=DEADLINE, since=date(2027, 11, 25), today=date(2027, 11, 30))
    assert due(deadline=DEADLINE, since=date(2027, 11, 25), today=date(2027, 12, 2))
    assert not due(deadline=DEADLINE, since=date(2027, 12, 2), today=date(2027, 12, 8))


def test_no_reminder_once_the_list_is_approved(ctx, manager, yearly_run):
    assert reminders.remind(MADE_ON) == 1
    approve_run(ctx, yearly_run)

    assert _sent_on([date(2027, 2, 10), date(2027, 12, 1), date(2028, 1, 5)]) == []
    assert Notification.objects.filter(user=manager).count() == 1


def test_a_newer_list_supersedes_and_one_made_on_demand_is_not_announced(ctx, manager, unit, yearly_run):
    assert reminders.remind(MADE_ON) == 1
    newer = make_run(ctx, unit, as_of=date(2027, 3, 1))

    # The manager who made it knows: the first reminder a month later, of
    # the newer list only.
    assert _sent_on([date(2027, 3, 1), date(2027, 3, 10), date(2027, 3, 31)]) == []
    assert _sent_on([date(2027, 4, 1)]) == [date(2027, 4, 1)]
    last = Notification.objects.filter(user=manager).order_by("-pk").first()
    assert last.url == f"/gallring/{newer.pk}/" and "väntar fortfarande" in last.text
    assert CullingRun.objects.get(pk=yearly_run.pk).last_reminded_on == MADE_ON


def test_a_list_with_nobody_due_waits_for_nothing(manager, unit):
    make_run(AuditContext.system(None, "test"), unit, trigger=RunTrigger.SCHEDULED, as_of=MADE_ON)
    assert reminders.remind(MADE_ON) == 0
    assert not Notification.objects.exists()


def test_the_job_is_registered_scheduled_daily_and_described():
    from config.celery import app

    assert "culling.tasks.send_culling_reminders" in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["remind-culling-lists"]
    assert entry["task"] == "culling.tasks.send_culling_reminders"
    schedule = entry["schedule"]
    assert len(schedule.day_of_month) == 31 and len(schedule.month_of_year) == 12 and len(schedule.day_of_week) == 7
    assert "remind-culling-lists" in DESCRIPTIONS


def test_a_first_list_with_files_overdue_for_years_says_so_and_is_reminded_weekly(unit, case_officer, manager):
    overdue = person(unit, case_officer, first_name="Försenad", last_name="Fiktivsson")
    date_back(overdue.pk, date(2015, 3, 2))  # due 2020-03-02, to be culled by 2021-12-31
    run = make_run(AuditContext.system(None, "test"), unit, trigger=RunTrigger.SCHEDULED, as_of=MADE_ON)

    assert _sent_on([MADE_ON, date(2027, 1, 16), date(2027, 1, 17)]) == [MADE_ON, date(2027, 1, 17)]
    first = Notification.objects.filter(user=manager).order_by("pk").first()
    assert first.text == (f"Den årliga gallringslistan nr {run.pk} är gjord och väntar på ditt godkännande: "
                          "1 person ska gallras; sista dagen (2021-12-31) har passerat.")


def test_a_person_with_two_files_linked_as_the_same_person_counts_once(unit, case_officer, manager, due_person):
    from referrals.models import PersonLink, PersonLinkKind

    # Registered twice (no Swedish number, say) and linked: two rows on the
    # list, one person; a third, unlinked person makes two persons in all.
    second_file = person(unit, case_officer, first_name="Påminda", last_name="Fiktivsson")
    PersonLink.objects.create(client=due_person, other_client=second_file, kind=PersonLinkKind.SAME_PERSON,
                              linked_by=case_officer)
    other = person(unit, case_officer, first_name="Annan", last_name="Fiktivsson")
    for pk in (due_person.pk, second_file.pk, other.pk):
        date_back(pk, LAST_ENTRY)
    run = make_run(AuditContext.system(None, "test"), unit, trigger=RunTrigger.SCHEDULED, as_of=MADE_ON)
    assert run.candidates.count() == 3
    assert set(run.candidates.values_list("person", flat=True)) == {min(due_person.pk, second_file.pk), other.pk}

    assert reminders.waiting_runs().get(pk=run.pk).due == 2
    assert _sent_on([MADE_ON]) == [MADE_ON]
    notice = Notification.objects.get(user=manager)
    assert "2 personer ska gallras" in notice.text
