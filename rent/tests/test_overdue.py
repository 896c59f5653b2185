"""Signals for unpaid rent (issue 14, "Arrears caught early"): a notice
open after its due date and grace raises one "rent not paid" signal per
recipient, in the app and by e-mail, however many mornings it stays
unpaid; the number of queries does not grow with the number of notices."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from bolots.models import Signal, SignalKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order
from rent.models import NoticeKind, RentSettings
from rent.services.overdue import raise_overdue_signals
from rent.tasks import overdue as overdue_task
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .overdue_factories import notice, paid

pytestmark = pytest.mark.django_db

DUE = date(2026, 11, 30)


@pytest.fixture
def tenancy(unit, client_record, pilot, second_pilot):
    accepted_order(pilot, second_pilot, client=client_record)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2025, 1, 1))


def test_a_notice_unpaid_after_grace_signals_officer_and_active_pilot_once(
    tenancy, case_officer, pilot, second_pilot, django_capture_on_commit_callbacks
):
    unpaid = notice(tenancy, DUE, 450_000)

    with django_capture_on_commit_callbacks(execute=True):
        assert raise_overdue_signals(DUE + timedelta(days=5)) == 0, "within the grace: nothing"
        made = raise_overdue_signals(DUE + timedelta(days=6))
    assert made == 2
    signals = Signal.objects.filter(source_key=f"rent.notice:{unpaid.pk}")
    assert {signal.recipient for signal in signals} == {case_officer, pilot}, "the passive bolots is not told"
    for signal in signals:
        assert signal.kind == SignalKind.RENT_UNPAID and signal.visit is None
        assert signal.text == "Hyra obetald: 4\xa0500\xa0kr, förföll 30 nov 2026"
    # Notified in the app and by e-mail, without personal data.
    assert Notification.objects.filter(text=f"Signal: hyran är obetald (avi {unpaid.ocr})").count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([case_officer.email, pilot.email])
    for message in mail.outbox:
        assert tenancy.client.last_name not in message.body + message.subject
        assert tenancy.client.personal_number not in message.body

    # The next mornings: still unpaid, no new signal, no new e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        for day in (7, 8, 9):
            assert raise_overdue_signals(DUE + timedelta(days=day)) == 0
    assert Signal.objects.filter(source_key=f"rent.notice:{unpaid.pk}").count() == 2
    assert len(mail.outbox) == 2


def test_grace_is_the_units_setting_and_a_paid_notice_raises_nothing(tenancy, unit):
    RentSettings.objects.create(unit=unit, grace_days=10)
    settled = notice(tenancy, DUE, 450_000)
    paid(settled, 450_000, DUE)
    partly = notice(tenancy, DUE, 450_000, kind=NoticeKind.CHARGE)
    paid(partly, 100_000, DUE)

    assert raise_overdue_signals(DUE + timedelta(days=10)) == 0
    assert raise_overdue_signals(DUE + timedelta(days=11)) == 2
    assert set(Signal.objects.values_list("source_key", flat=True)) == {f"rent.notice:{partly.pk}"}
    assert Signal.objects.first().text.startswith("Hyra obetald: 3\xa0500\xa0kr")


def test_a_bolots_assigned_later_gets_the_signal_too(tenancy, unit, client_record, case_officer):
    from referrals.tests.factories_orders import make_pilot

    unpaid = notice(tenancy, DUE)
    Signal.objects.all().delete()
    assert raise_overdue_signals(DUE + timedelta(days=6)) == 2
    newcomer = make_pilot(unit, "nykomling")
    accepted_order(newcomer, None, client=client_record)
    assert raise_overdue_signals(DUE + timedelta(days=7)) == 1
    assert Signal.objects.get(recipient=newcomer).source_key == f"rent.notice:{unpaid.pk}"


def test_queries_do_not_grow_with_the_notices(unit, case_officer, pilot, second_pilot):
    def world(n):
        for _ in range(n):
            person = ClientFactory(unit=unit, responsible_officer=case_officer)
            accepted_order(pilot, second_pilot, client=person)
            tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=person)
            notice(tenancy, DUE)

    world(2)
    raise_overdue_signals(DUE + timedelta(days=6))
    with CaptureQueriesContext(connection) as few:
        assert raise_overdue_signals(DUE + timedelta(days=7)) == 0
    world(20)
    raise_overdue_signals(DUE + timedelta(days=7))
    with CaptureQueriesContext(connection) as many:
        assert raise_overdue_signals(DUE + timedelta(days=8)) == 0
    assert len(many) == len(few) <= 6


def test_the_task_returns_the_count(tenancy, monkeypatch):
    notice(tenancy, date(2020, 1, 31))
    assert overdue_task.raise_overdue_signals() == 2
    assert overdue_task.raise_overdue_signals() == 0
