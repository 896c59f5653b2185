"""Annulled records (audit.annulment) are left out of every figure: a visit
or decision saved twice and then annulled counts once, in the KPI engine
(the dashboard, PDF and exports only format its figures), in the drill-down
lists, the cancellations page, the IVO report and statistics, the list of
non-executed decisions and the visit-frequency facts. Hand-built data; the
expected figures are worked out beside it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bolots.models import Visit, VisitOutcome
from bolots.services.worklist import with_schedule_facts
from bolots.tests.factories import VisitFactory
from referrals.models import Decision, DecisionKind, Order, OrderKind, OrderState
from referrals.services import ivo
from referrals.services.decisions import waiting_for_execution
from referrals.tests.factories_decisions import DecisionFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from reports.kpis import compute_kpis
from reports.kpis.cancellations import ALL, monthly_figures
from reports.kpis.decisions import KPI6_MEASURES, WAITING_MEASURES, waiting_section_counts
from reports.kpis.visits import VISIT_MEASURES, monthly_counts, visit_key

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Stockholm")


def local(*parts):
    return datetime(*parts, tzinfo=TZ)


def annul_directly(record, user, reason="Registrerat två gånger av misstag."):
    """The three fields as the service writes them (its rules are tested in
    the apps' own tests)."""
    type(record).objects.filter(pk=record.pk).update(annulled_at=timezone.now(), annulled_by=user,
                                                     annul_reason=reason)


def months(*pairs):
    counts = [0] * 12
    for month, count in pairs:
        counts[month - 1] = count
    return counts


# --- Visits -----------------------------------------------------------------------


@pytest.fixture
def visit_data(unit, manager):
    """One bolots-support order in 2025:

    #  local time         outcome             annulled
    a  2025-01-15 10:00   done
    b  2025-01-15 10:00   done                yes (a saved twice)
    c  2025-02-03 10:00   no-show
    d  2025-02-10 10:00   no-show             yes (logged on the wrong day)
    e  2025-03-05 10:00   done                yes (the latest done visit, annulled)

    Effective: a (done, Jan), c (no-show, Feb).
    """
    pilots = make_pilot(unit, "lots1"), make_pilot(unit, "lots2")
    order = accepted_order(*pilots, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    VisitFactory(order=order, visited_at=local(2025, 1, 15, 10), client_age=30)
    twice = VisitFactory(order=order, visited_at=local(2025, 1, 15, 10), client_age=30)
    VisitFactory(order=order, visited_at=local(2025, 2, 3, 10), client_age=30, outcome=VisitOutcome.NO_SHOW)
    wrong_day = VisitFactory(order=order, visited_at=local(2025, 2, 10, 10), client_age=30,
                             outcome=VisitOutcome.NO_SHOW)
    latest = VisitFactory(order=order, visited_at=local(2025, 3, 5, 10), client_age=30)
    for visit in (twice, wrong_day, latest):
        annul_directly(visit, manager)
    return order


def test_visit_figures_leave_annulled_visits_out(visit_data, unit):
    counts = monthly_counts(2025, unit)

    assert counts[visit_key("all", "planned")] == months((1, 1), (2, 1))
    assert counts[visit_key("all", "done")] == months((1, 1))
    assert counts[visit_key("all", "cancelled")] == months((2, 1))
    assert counts[visit_key("all", "outcome_no_show")] == months((2, 1))
    # National figures too.
    assert sum(monthly_counts(2025)[visit_key("all", "planned")]) == 2


def test_visit_record_lists_leave_annulled_visits_out(visit_data, unit):
    for key, measure in VISIT_MEASURES.items():
        records = measure.records(2025, unit)
        assert not records.filter(annulled_at__isnull=False).exists(), key
    assert VISIT_MEASURES[visit_key("all", "planned")].records(2025, unit).count() == 2


def test_cancellations_page_leaves_annulled_visits_out(visit_data, unit):
    stats = monthly_figures(2025, unit)

    # Effective: a (done) and c (no-show): 2 planned, 1 cancelled, 1 without a reason.
    totals = stats.totals[ALL]
    assert (totals.planned, totals.done, totals.cancelled, totals.without_reason) == (2, 1, 1, 1)


def test_frequency_facts_use_the_latest_visit_in_effect(visit_data):
    order = with_schedule_facts(Order.objects.filter(pk=visit_data.pk), date(2025, 3, 10)).get()

    # e (5 March) is annulled: the latest done visit is a (15 January).
    assert timezone.localtime(order.last_contact_at) == local(2025, 1, 15, 10)


# --- Decisions ----------------------------------------------------------------------


@pytest.fixture
def decision_data(client_record, case_officer):
    """Home-support decisions of the client, none executed:

    #  decided      annulled
    a  2025-01-10
    b  2025-01-10   yes (a saved twice)
    c  2025-02-20   yes (on the wrong client)

    Effective: a, reportable from 2025-04-11 (Q2 2025), waiting on 31 Dec 2025.
    """
    first = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=date(2025, 1, 10))
    twice = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=date(2025, 1, 10))
    wrong = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=date(2025, 2, 20))
    annul_directly(twice, case_officer)
    annul_directly(wrong, case_officer)
    return first


def test_kpi6_leaves_annulled_decisions_out(decision_data, unit):
    six = compute_kpis(2025, unit)
    kpi6 = next(result for result in six if result.number == 6)

    assert kpi6.value == 1
    assert KPI6_MEASURES["kpi6.reportable"].records(2025, unit).get() == decision_data
    waiting = {figure.key: figure.value for figure in waiting_section_counts(2025, unit)}
    assert waiting["decisions.waiting"] == 1
    assert list(WAITING_MEASURES["decisions.waiting"].records(2025, unit)) == [decision_data]


def test_ivo_report_and_statistics_leave_annulled_decisions_out(decision_data, case_officer):
    rows = ivo.quarter_report(case_officer, 2025, 2)

    assert len(rows) == 1
    quarters = ivo.year_statistics(case_officer, 2025)
    # a is in every report from Q2 on while it waits; with b and c it would be 3.
    assert [quarter.total for quarter in quarters] == [0, 1, 1, 1]


def test_non_executed_list_leaves_annulled_decisions_out(decision_data, case_officer):
    waiting = waiting_for_execution(case_officer, date(2025, 6, 1))

    assert list(waiting) == [decision_data]
    # The annulled ones are still there, marked as such.
    assert Decision.objects.filter(client=decision_data.client, annulled_at__isnull=False).count() == 2
    assert Decision.objects.with_status(date(2025, 6, 1)).exclude(pk=decision_data.pk).filter(
        status="annulled").count() == 2


def test_decision_kind_is_irrelevant_to_the_exclusion(client_record, case_officer, unit):
    """A training-apartment decision annulled is out of KPI 6's training row too."""
    support = DecisionFactory(client=client_record, decided_by=case_officer, kind=DecisionKind.BOLOTS_SUPPORT,
                              decided_on=date(2025, 1, 10))
    training = DecisionFactory(client=client_record, decided_by=case_officer,
                               kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2025, 1, 10))
    counts_before = KPI6_MEASURES["kpi6.reportable_training"].records(2025, unit).count()
    annul_directly(training, case_officer)

    assert counts_before == 1
    assert KPI6_MEASURES["kpi6.reportable_training"].records(2025, unit).count() == 0
    assert list(KPI6_MEASURES["kpi6.reportable"].records(2025, unit)) == [support]


def test_visits_are_still_stored(visit_data):
    assert Visit.objects.filter(order=visit_data).count() == 5
    assert Visit.objects.filter(order=visit_data).effective().count() == 2
