"""When the monthly draw runs: the first working day of the month, after
weekends and Swedish public holidays; and the beat task that drives it."""

from datetime import date

import pytest
from django.conf import settings

from accounts.tests.factories import UnitFactory
from logreview import tasks
from logreview.models import ReviewMonth
from logreview.tasks import month_to_draw
from logreview.workdays import days_off, first_working_day, is_working_day

from .helpers import at, read


@pytest.mark.parametrize("year, month, expected", [
    (2026, 3, date(2026, 3, 2)),  # 1 March 2026 is a Sunday
    (2026, 8, date(2026, 8, 3)),  # 1 August 2026 is a Saturday
    (2026, 1, date(2026, 1, 2)),  # nyårsdagen, a Thursday
    (2027, 1, date(2027, 1, 4)),  # nyårsdagen on a Friday, then a weekend
    (2026, 5, date(2026, 5, 4)),  # första maj on a Friday, then a weekend
    (2025, 5, date(2025, 5, 2)),  # första maj on a Thursday
    (2026, 4, date(2026, 4, 1)),  # an ordinary Wednesday
])
def test_first_working_day(year, month, expected):
    assert first_working_day(year, month) == expected


def test_month_to_draw_waits_for_the_first_working_day():
    assert month_to_draw(date(2026, 8, 1)) is None  # Saturday
    assert month_to_draw(date(2026, 8, 2)) is None  # Sunday
    assert month_to_draw(date(2026, 8, 3)) == date(2026, 7, 1)
    assert month_to_draw(date(2027, 1, 1)) is None  # nyårsdagen
    assert month_to_draw(date(2027, 1, 4)) == date(2026, 12, 1)  # across the year
    # Later in the month it still names the previous month (a missed day is made up).
    assert month_to_draw(date(2026, 8, 20)) == date(2026, 7, 1)


def test_swedish_days_off_2026():
    off = days_off(2026)
    for day in [
        date(2026, 1, 6), date(2026, 4, 3), date(2026, 4, 5), date(2026, 4, 6), date(2026, 5, 14),
        date(2026, 5, 24), date(2026, 6, 6), date(2026, 6, 19), date(2026, 6, 20), date(2026, 10, 31),
        date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 31),
    ]:
        assert day in off, day
    assert not is_working_day(date(2026, 6, 19))  # midsommarafton, a Friday
    assert is_working_day(date(2026, 6, 18))
    assert is_working_day(date(2026, 4, 7))  # the Tuesday after Easter


def test_beat_runs_the_task_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["draw-monthly-log-reviews"]
    assert entry["task"] == "logreview.tasks.draw_monthly_reviews" == tasks.draw_monthly_reviews.name
    assert entry["schedule"].hour == {5}


@pytest.mark.django_db
def test_task_draws_the_previous_month_for_each_unit_not_yet_drawn(
    monkeypatch, unit, other_unit, case_officer, client_record, django_capture_on_commit_callbacks,
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2026, 8, 3))
    read(case_officer, client_record, at(2026, 7, 7))
    already = ReviewMonth.objects.create(unit=other_unit, month=date(2026, 7, 1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.draw_monthly_reviews() == 1
    assert len(callbacks) == 1
    drawn = ReviewMonth.objects.get(unit=unit, month=date(2026, 7, 1))
    assert drawn.reads == 1
    assert ReviewMonth.objects.get(unit=other_unit) == already
    # The next morning there is nothing left to draw.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2026, 8, 4))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.draw_monthly_reviews() == 0
    assert callbacks == []


@pytest.mark.django_db
def test_task_does_nothing_before_the_first_working_day(monkeypatch, unit, django_capture_on_commit_callbacks):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2026, 8, 1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.draw_monthly_reviews() == 0
    assert callbacks == []
    assert not ReviewMonth.objects.exists()


@pytest.mark.django_db
def test_the_unit_task_takes_ids_and_skips_a_removed_unit():
    unit = UnitFactory()
    assert tasks.draw_unit_month(unit.pk, "2026-07-01") == ReviewMonth.objects.get(unit=unit).pk
    assert tasks.draw_unit_month(unit.pk + 1000, "2026-07-01") is None
