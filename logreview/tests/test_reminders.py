"""Reminders until sign-off (logreview.reminders): the unit's reviewers get
an in-app notification and an e-mail per month not signed off, at most once
every seven days per month; nothing for signed-off months or other units."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from logreview import reminders
from logreview.models import ReviewMonth

from .factories import review_month


@pytest.fixture
def open_month(unit):
    return review_month(unit, date(2026, 10, 1))


def test_the_units_managers_are_reminded_in_the_app_and_by_email(
    django_capture_on_commit_callbacks, open_month, manager, case_officer, other_unit
):
    review_month(open_month.unit, date(2026, 9, 1), signed_off_at=timezone.now(), signed_off_by=manager)
    other_manager = UserFactory(unit=other_unit, roles=[Role.MANAGER])
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind(now) == 1

    notes = Notification.objects.filter(user=manager)
    assert [n.text for n in notes] == ["Loggranskningen för 2026-10 väntar på granskning och attest."]
    assert notes.get().url == f"/logggranskning/{open_month.pk}/"
    assert not Notification.objects.filter(user__in=[case_officer, other_manager]).exists()
    assert [message.to for message in mail.outbox] == [[manager.email]]
    assert ReviewMonth.objects.get(pk=open_month.pk).last_reminded_at == now


def test_at_most_once_every_seven_days(django_capture_on_commit_callbacks, open_month, manager):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.remind(start)
        assert reminders.remind(start + timedelta(days=1)) == 0
        assert reminders.remind(start + timedelta(days=6, hours=23)) == 0
        assert reminders.remind(start + timedelta(days=7)) == 1
    assert Notification.objects.filter(user=manager).count() == 2
    assert len(mail.outbox) == 2


def test_signed_off_months_are_not_reminded(open_month, manager):
    ReviewMonth.objects.filter(pk=open_month.pk).update(signed_off_at=timezone.now(), signed_off_by=manager)
    assert reminders.remind(timezone.now()) == 0
    assert not Notification.objects.exists()


def test_the_task_is_registered_and_scheduled_daily(open_month, manager):
    from config.celery import app

    assert "logreview.reminders.send_review_reminders" in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["remind-log-reviews"]
    assert entry["task"] == "logreview.reminders.send_review_reminders"
    assert reminders.send_review_reminders.delay().get() == 1
    assert Notification.objects.filter(user=manager).exists()
