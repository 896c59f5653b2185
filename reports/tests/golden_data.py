"""The hand-built two-year data set of the KPI golden tests (years 2024 and 2025).

Every date is fixed (never relative to today), so that the expected figures
written out by hand in test_kpi_golden.py stay true. The comments name what
each record is there to test; test_kpi_golden.py derives every figure from
them.

Call build_golden_dataset(unit, other_unit) once per test (the unit fixtures
of conftest.py); the records of `other_unit` must never count for `unit` and
only count in the national figures (unit=None).

Cast (unit):

  apartments  A1 training/rental       T1 C1 2022-03-01–2025-06-30 own housing, then T4 C4 2025-08-01– (reused)
              A2 training/tenant-owner T2 C2 2021-05-01–2025-09-30 first-hand takeover; left the programme
              A3 training/rental       T3a C3 2022-01-15–2024-10-31 moved within the programme,
                                       then T7 C7 2024-12-01– (reused)
              A4 training/tenant-owner T9 C9 2020-06-01–2024-08-31 terminated for arrears,
                                       then T3b C3 2024-11-01– (internal move: not new, not reused)
              A5 training/rental       T5 C5 2025-03-01– (first tenancy: not reused; C5 protected)
              A6 trial/rental          T8 C8 2024-01-01–2025-04-30 own housing (not a training apartment)
              A7 training/rental       T6 C6 2025-11-01– (first tenancy)
              A8 emergency/tenant-owner leased from 2025-01-01, never let
              A9 training/rental       T10a C10 2023-04-01–2024-05-31 own housing,
                                       then T10b C10 2025-10-01– (returns: reused, but not a first-ever tenancy)
  courses     C7 completed 2024-11-15, C4 2025-07-20 (before move-in), C5 2025-12-31 (after move-in, last day),
              C6 2026-01-15 (too late for 2025)
  pilots      P1, P2 active; P3 only ever the passive (second) bolots
"""

import itertools
from datetime import date, datetime

from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from bolots.models import CancelReason, Visit, VisitKind, VisitOutcome
from bolots.services.visits import age_on
from bolots.tests.factories import enrol_directly, make_course_round
from core import personnummer
from referrals.models import (
    Decision,
    DecisionKind,
    DecisionOutcome,
    EvictionNotice,
    Interruption,
    LegalReference,
    NoticeOutcome,
    NoticeReason,
    NoticeSource,
    Order,
    OrderKind,
    OrderOutcome,
    OrderState,
    ProtectionLevel,
)
from referrals.tests.factories import ClientFactory
from reports.models import EnforcementFigures
from tenancies.models import (
    ApartmentKind,
    ApartmentStatus,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    EndReason,
    IncomeKind,
    IncomeSource,
    Tenure,
)
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

# Serial numbers of the fixed-birth-date clients, unique within the test run.
_serials = itertools.count(900)


def at(year, month, day, hour=12, minute=0):
    """An aware datetime in Swedish time (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def _client(unit, officer, birth_date=None, **kwargs):
    if birth_date is not None:
        kwargs["personal_number"] = personnummer.make_number(birth_date, next(_serials) % 1000)
    return ClientFactory(unit=unit, responsible_officer=officer, **kwargs)


def _decision(client, officer, kind, decided_on, executed_on=None, outcome=DecisionOutcome.GRANTED, **extra):
    return Decision.objects.create(
        client=client,
        kind=kind,
        legal_basis=LegalReference.objects.order_by("pk").first(),
        applied_on=decided_on,
        decided_on=decided_on,
        outcome=outcome,
        valid_from=decided_on,
        decided_by=officer,
        executed_on=executed_on,
        **extra,
    )


def _tenancy(apartment, client, officer, start, end=None, reason="", decision=None):
    return TenancyFactory(
        apartment=apartment, client=client, created_by=officer, start_date=start, end_date=end,
        end_reason=reason, decision=decision,
    )


def _order(unit, officer, kind, sent_at, *, client=None, active=None, passive=None, state=OrderState.SENT, **extra):
    if client is None:
        extra.setdefault("subject_name", "Person utan akt")
        extra.setdefault("subject_address", "Påhittade vägen 1")
    return Order.objects.create(
        unit=unit, kind=kind, client=client, ordered_by=officer, assignment="Fiktivt uppdrag.",
        sent_at=sent_at, state=state, active_pilot=active, passive_pilot=passive, **extra,
    )


def _visit(order, when, outcome=VisitOutcome.DONE, reason="", kind=VisitKind.LOOK_IN, **extra):
    client = order.client
    return Visit.objects.create(
        order=order,
        client=client,
        client_age=age_on(client.birth_date, timezone.localdate(when)) if client else None,
        visited_at=when,
        kind=kind,
        outcome=outcome,
        cancel_reason=reason,
        active_pilot=order.active_pilot,
        passive_pilot=order.passive_pilot,
        logged_by=order.active_pilot,
        **extra,
    )


def _notice(unit, officer, received_on, *, outcome="", children=0, reason=NoticeReason.RENT_ARREARS, **extra):
    return EvictionNotice.objects.create(
        unit=unit, received_on=received_on, source=NoticeSource.LANDLORD_TERMINATION,
        landlord="Fiktiva Bostäder AB", tenant_name=extra.pop("tenant_name", "Påhittad Hyresgäst"),
        reason=reason, children_count=children, outcome=outcome, registered_by=officer, **extra,
    )


def build_golden_dataset(unit, other_unit=None):
    """Create the data set in `unit` (and a few records in `other_unit`).

    Returns a dict of the key objects by the names used in the module
    docstring and in test_kpi_golden.py.
    """
    officer = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    manager = UserFactory(unit=unit, roles=[Role.MANAGER])
    p1 = UserFactory(unit=unit, roles=[Role.PILOT], first_name="Pia", last_name="Medarbetare Ett")
    p2 = UserFactory(unit=unit, roles=[Role.PILOT], first_name="Per", last_name="Medarbetare Två")
    p3 = UserFactory(unit=unit, roles=[Role.PILOT], first_name="Pär", last_name="Medarbetare Tre")
    o = {"officer": officer, "manager": manager, "p1": p1, "p2": p2, "p3": p3}

    def apartment(name, kind, tenure, **extra):
        o[name] = ApartmentFactory(unit=unit, kind=kind, tenure=tenure, object_number=f"GOLD-{unit.pk}-{name}", **extra)
        return o[name]

    a1 = apartment("a1", ApartmentKind.TRAINING, Tenure.RENTAL, status=ApartmentStatus.OCCUPIED)
    a2 = apartment(
        "a2", ApartmentKind.TRAINING, Tenure.MUNICIPAL_TENANT_OWNER, status=ApartmentStatus.LEFT_PROGRAMME,
        lease_end=date(2025, 9, 30),
    )
    a3 = apartment("a3", ApartmentKind.TRAINING, Tenure.RENTAL, status=ApartmentStatus.OCCUPIED)
    a4 = apartment("a4", ApartmentKind.TRAINING, Tenure.MUNICIPAL_TENANT_OWNER, status=ApartmentStatus.OCCUPIED)
    a5 = apartment("a5", ApartmentKind.TRAINING, Tenure.RENTAL, status=ApartmentStatus.OCCUPIED)
    a6 = apartment("a6", ApartmentKind.TRIAL, Tenure.RENTAL)
    a7 = apartment("a7", ApartmentKind.TRAINING, Tenure.RENTAL, status=ApartmentStatus.OCCUPIED)
    apartment("a8", ApartmentKind.EMERGENCY, Tenure.MUNICIPAL_TENANT_OWNER, lease_start=date(2025, 1, 1))
    a9 = apartment("a9", ApartmentKind.TRAINING, Tenure.RENTAL, status=ApartmentStatus.OCCUPIED)

    clients = {}
    for name in ("c1", "c2", "c3", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12"):
        clients[name] = _client(unit, officer)
    # The young adult: 22 years old throughout 2025.
    clients["c4"] = _client(unit, officer, birth_date=date(2003, 5, 5))
    clients["c5"].protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    clients["c5"].save()
    o.update(clients)
    c = clients

    # --- Decisions (KPI 6, decisions waiting) ---------------------------------------
    T, B = DecisionKind.TRAINING_APARTMENT, DecisionKind.BOLOTS_SUPPORT
    # 30 Nov 2024: execute by 28 Feb 2025, reportable from 1 March 2025 (across the new year).
    o["d1"] = _decision(c["c6"], officer, T, date(2024, 11, 30), executed_on=date(2025, 11, 1))
    # Executed within three months: never reportable.
    o["d2"] = _decision(c["c4"], officer, T, date(2025, 6, 2), executed_on=date(2025, 8, 1))
    # 15 Oct 2024: reportable from 16 Jan 2025, executed 1 March 2025.
    o["d3"] = _decision(c["c5"], officer, T, date(2024, 10, 15), executed_on=date(2025, 3, 1))
    # 20 Aug 2024: reportable from 21 Nov 2024, executed 1 Dec 2024.
    o["d4"] = _decision(c["c7"], officer, T, date(2024, 8, 20), executed_on=date(2024, 12, 1))
    # Executed 2023; interrupted 10 Sep 2024, resumed 20 Jan 2025: reportable from 11 Dec 2024.
    o["d5"] = _decision(c["c3"], officer, B, date(2023, 1, 10), executed_on=date(2023, 2, 1))
    o["d5_interruption"] = Interruption.objects.create(
        decision=o["d5"], started_on=date(2024, 9, 10), ended_on=date(2025, 1, 20), reason="Behandlingshem"
    )
    # 1 Dec 2024: execute by 1 March 2025, executed on 28 Feb: never reportable.
    o["d6"] = _decision(c["c1"], officer, B, date(2024, 12, 1), executed_on=date(2025, 2, 28))
    # Rejected: never counts.
    o["d7"] = _decision(c["c8"], officer, T, date(2024, 1, 5), outcome=DecisionOutcome.REJECTED)
    o["d8"] = _decision(c["c10"], officer, T, date(2025, 9, 1), executed_on=date(2025, 10, 1))
    # Waiting on 31 Dec 2025, not yet reportable (from 21 Jan 2026).
    o["d9"] = _decision(c["c11"], officer, T, date(2025, 10, 20))
    # Closed unexecuted on 15 May 2025, after becoming reportable on 11 April 2025.
    o["d10"] = _decision(
        c["c12"], officer, B, date(2025, 1, 10), closed_on=date(2025, 5, 15), close_reason="Flyttat från kommunen"
    )

    # --- Tenancies (chronological per client: internal moves are derived) -------------
    R = EndReason
    o["t9"] = _tenancy(a4, c["c9"], officer, date(2020, 6, 1), date(2024, 8, 31), R.TERMINATED_ARREARS)
    o["t2"] = _tenancy(a2, c["c2"], officer, date(2021, 5, 1), date(2025, 9, 30), R.FIRST_HAND_TAKEOVER)
    o["t3a"] = _tenancy(a3, c["c3"], officer, date(2022, 1, 15), date(2024, 10, 31), R.MOVED_WITHIN_PROGRAMME)
    o["t3b"] = _tenancy(a4, c["c3"], officer, date(2024, 11, 1))
    o["t1"] = _tenancy(a1, c["c1"], officer, date(2022, 3, 1), date(2025, 6, 30), R.OWN_HOUSING)
    o["t10a"] = _tenancy(a9, c["c10"], officer, date(2023, 4, 1), date(2024, 5, 31), R.OWN_HOUSING)
    o["t10b"] = _tenancy(a9, c["c10"], officer, date(2025, 10, 1), decision=o["d8"])
    o["t7"] = _tenancy(a3, c["c7"], officer, date(2024, 12, 1), decision=o["d4"])
    o["t8"] = _tenancy(a6, c["c8"], officer, date(2024, 1, 1), date(2025, 4, 30), R.OWN_HOUSING)
    o["t4"] = _tenancy(a1, c["c4"], officer, date(2025, 8, 1), decision=o["d2"])
    o["t5"] = _tenancy(a5, c["c5"], officer, date(2025, 3, 1), decision=o["d3"])
    o["t6"] = _tenancy(a7, c["c6"], officer, date(2025, 11, 1), decision=o["d1"])

    # --- Incomes (self-supporting share) ------------------------------------------------
    # C3's salary, registered on the first tenancy, follows the internal move.
    IncomeSource.objects.create(tenancy=o["t3a"], kind=IncomeKind.SALARY, valid_from=date(2023, 1, 1))
    IncomeSource.objects.create(tenancy=o["t4"], kind=IncomeKind.FINANCIAL_ASSISTANCE, valid_from=date(2025, 8, 1))
    IncomeSource.objects.create(tenancy=o["t5"], kind=IncomeKind.PENSION, valid_from=date(2025, 3, 1))
    IncomeSource.objects.create(
        tenancy=o["t7"], kind=IncomeKind.STUDENT_AID, valid_from=date(2024, 9, 1), valid_to=date(2025, 6, 30)
    )
    # C10's salary belongs to the earlier, separate stay: it does not count for T10b.
    IncomeSource.objects.create(tenancy=o["t10a"], kind=IncomeKind.SALARY, valid_from=date(2023, 4, 1))

    # --- Housing course (KPI 4) ---------------------------------------------------------
    round_2024 = make_course_round(unit, [p1, p2], starts_on=date(2024, 10, 25))
    round_2025 = make_course_round(unit, [p1, p2], starts_on=date(2025, 6, 29))
    round_2025b = make_course_round(unit, [p1, p2], starts_on=date(2025, 12, 10))
    o["e7"] = enrol_directly(round_2024, c["c7"], completed_on=date(2024, 11, 15))
    o["e4"] = enrol_directly(round_2025, c["c4"], completed_on=date(2025, 7, 20))
    o["e5"] = enrol_directly(round_2025b, c["c5"], completed_on=date(2025, 12, 31))
    o["e6"] = enrol_directly(round_2025b, c["c6"], completed_on=date(2026, 1, 15))

    # --- Eviction notices (KPI 2) -------------------------------------------------------
    N = NoticeOutcome
    o["n1"] = _notice(unit, officer, date(2025, 2, 10), outcome=N.PREVENTED_PAID)
    o["n2"] = _notice(unit, officer, date(2025, 5, 20), outcome=N.EVICTED, children=2)
    o["n3"] = _notice(unit, officer, date(2025, 6, 1), outcome=N.MOVED_VOLUNTARILY, children=1,
                      reason=NoticeReason.DISTURBANCE)
    o["n4"] = _notice(unit, officer, date(2025, 11, 15))
    o["n5"] = _notice(unit, officer, date(2024, 3, 3), outcome=N.EVICTED)
    o["n6"] = _notice(unit, officer, date(2024, 5, 5), outcome=N.EVICTED, children=3)
    o["n7"] = _notice(unit, officer, date(2024, 12, 30), outcome=N.PREVENTED_REPAYMENT_PLAN)
    EnforcementFigures.objects.create(
        municipality=unit.municipality, year=2025, eviction_applications=5, executed_evictions=2,
        children_affected=1, entered_by=manager,
    )
    EnforcementFigures.objects.create(
        municipality=unit.municipality, year=2024, eviction_applications=6, executed_evictions=3,
        children_affected=0, entered_by=manager,
    )

    # --- Outreach and eviction-prevention orders (KPI 3, KPI 8) -----------------------------
    OUT, EP = OrderKind.OUTREACH, OrderKind.EVICTION_PREVENTION
    done, in_progress = OrderState.COMPLETED, OrderState.IN_PROGRESS

    def early(name, kind, sent, first, active, **extra):
        extra.setdefault("state", in_progress)
        extra.setdefault("accepted_at", sent)
        o[name] = _order(unit, officer, kind, sent, active=active, passive=p3, first_visit_at=first, **extra)
        return o[name]

    # Exactly 48 hours: within.
    early("o1", OUT, at(2025, 3, 3, 10), at(2025, 3, 5, 10), p1)
    # 48 hours and one minute: not within.
    early("o2", OUT, at(2025, 4, 1, 9), at(2025, 4, 3, 9, 1), p2)
    # First attempt "nobody home" counts as an attempt.
    early("o3", EP, at(2025, 2, 11, 8), at(2025, 2, 11, 15), p1, eviction_notice=o["n1"])
    # Never visited.
    early("o4", EP, at(2025, 5, 21, 12), None, p2, eviction_notice=o["n2"], state=done,
          completed_at=at(2025, 8, 1), outcome=OrderOutcome.EVICTED)
    # Sent on New Year's Eve (Swedish time), visited on New Year's Day: a 2025 order, within.
    early("o5", OUT, at(2025, 12, 31, 20), at(2026, 1, 1, 10), p1)
    # 23:30 on 31 Dec 2024 Swedish time (22:30 UTC): a 2024 order, within.
    early("o6", OUT, at(2024, 12, 31, 23, 30), at(2025, 1, 1, 10), p1)
    # 72 hours: not within.
    early("o7", EP, at(2024, 3, 4, 9), at(2024, 3, 7, 9), p2, eviction_notice=o["n5"])
    early("o8", OUT, at(2024, 6, 10, 10), at(2024, 6, 11, 10), p1)
    # The order of a 2024 notice, sent in 2025: the notice "got an order" (2024), the order is 2025's.
    early("o9", EP, at(2025, 1, 2, 9), at(2025, 1, 2, 14), p2, eviction_notice=o["n7"])
    # A single errand: in no KPI.
    o["o10"] = _order(unit, officer, OrderKind.SINGLE_ERRAND, at(2025, 5, 5, 9), client=c["c3"], active=p1,
                      passive=p3, state=done, accepted_at=at(2025, 5, 5, 10), completed_at=at(2025, 5, 6, 10),
                      errand_type="escort_doctor")

    # --- Bolots-support orders (KPI 8 caseload on 31 December) -----------------------------
    def support(name, client, active, accepted, decision=None, **extra):
        extra.setdefault("state", in_progress)
        o[name] = _order(unit, officer, OrderKind.BOLOTS_SUPPORT, accepted, client=client, active=active,
                         passive=p3, accepted_at=accepted, decision=decision, **extra)
        return o[name]

    support("b1", c["c1"], p1, at(2024, 1, 10), state=done, completed_at=at(2025, 7, 15),
            outcome=OrderOutcome.MOVED_TO_OWN_HOUSING)
    support("b2", c["c2"], p1, at(2023, 5, 5), state=done, completed_at=at(2025, 10, 5),
            outcome=OrderOutcome.GOALS_REACHED)
    support("b3", c["c3"], p2, at(2023, 2, 1), decision=o["d5"])
    support("b4", c["c4"], p1, at(2025, 8, 1, 9))
    support("b5", c["c5"], p2, at(2025, 3, 1, 9))
    # Sent, not accepted: no one's caseload.
    o["b6"] = _order(unit, officer, OrderKind.BOLOTS_SUPPORT, at(2025, 12, 20), client=c["c6"])
    # Open on 31 Dec 2024, cancelled in 2025.
    support("b7", c["c7"], p1, at(2024, 12, 1), state=OrderState.CANCELLED, cancelled_at=at(2025, 2, 1),
            cancel_reason="Annat stöd")
    support("b8", c["c10"], p2, at(2025, 10, 1, 9))

    # --- Visits (additional figures) -------------------------------------------------------
    C = CancelReason
    o["v1"] = _visit(o["o1"], at(2025, 3, 5, 10), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v2"] = _visit(o["o2"], at(2025, 4, 3, 9, 1), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v3"] = _visit(o["o3"], at(2025, 2, 11, 15), VisitOutcome.NOBODY_HOME, kind=VisitKind.OUTREACH_ATTEMPT)
    o["v4"] = _visit(o["o5"], at(2026, 1, 1, 10), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v5"] = _visit(o["o9"], at(2025, 1, 2, 14), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v6"] = _visit(o["b4"], at(2025, 8, 5, 10))
    o["v7"] = _visit(o["b4"], at(2025, 8, 12, 10), VisitOutcome.CANCELLED_BY_CLIENT, C.FEELING_UNWELL)
    o["v8"] = _visit(o["b4"], at(2025, 8, 19, 10), VisitOutcome.NO_SHOW)
    o["v9"] = _visit(o["b5"], at(2025, 4, 1, 10), VisitOutcome.CANCELLED_BY_STAFF, C.OTHER,
                     cancel_reason_text="Personalbrist")
    o["v10"] = _visit(o["b3"], at(2025, 6, 10, 10), VisitOutcome.CANCELLED_BY_CLIENT, C.WORK_OR_STUDIES)
    o["v11"] = _visit(o["b3"], at(2025, 12, 31, 23, 30))
    o["v12"] = _visit(o["o6"], at(2025, 1, 1, 10), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v13"] = _visit(o["o8"], at(2024, 6, 11, 10), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v14"] = _visit(o["o7"], at(2024, 3, 7, 9), kind=VisitKind.OUTREACH_ATTEMPT)
    o["v15"] = _visit(o["b3"], at(2024, 5, 5, 10), VisitOutcome.CANCELLED_BY_CLIENT, C.FORGOT)
    o["v16"] = _visit(o["b1"], at(2024, 1, 15, 10))

    # --- Complaints and damage ---------------------------------------------------------------
    def complaint(name, apartment_, day, kind, tenancy=None):
        o[name] = Complaint.objects.create(
            apartment=apartment_, tenancy=tenancy, occurred_on=day, kind=kind, source=ComplaintSource.NEIGHBOUR,
            description="Fiktivt klagomål.", registered_by=officer,
        )

    complaint("cp1", a1, date(2025, 3, 10), ComplaintKind.DISTURBANCE, o["t1"])
    complaint("cp2", a1, date(2025, 4, 2), ComplaintKind.DAMAGE, o["t1"])
    complaint("cp3", a3, date(2025, 9, 9), ComplaintKind.DAMAGE, o["t7"])
    complaint("cp4", a3, date(2024, 2, 2), ComplaintKind.DISTURBANCE, o["t3a"])

    if other_unit is not None:
        _other_unit_records(other_unit, o)
    return o


def _other_unit_records(unit, o):
    """Records of another unit: in the national figures only."""
    officer = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    pilot = UserFactory(unit=unit, roles=[Role.PILOT], first_name="Olle", last_name="Medarbetare Annan")
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, tenure=Tenure.RENTAL,
                                 object_number=f"GOLD-{unit.pk}-oa1")
    oc1 = _client(unit, officer)
    oc2 = _client(unit, officer)
    # Reportable from 16 March 2025, executed 1 July 2025.
    od1 = _decision(oc2, officer, DecisionKind.TRAINING_APARTMENT, date(2024, 12, 15), executed_on=date(2025, 7, 1))
    _tenancy(apartment, oc1, officer, date(2023, 1, 1), date(2025, 5, 31), EndReason.OWN_HOUSING)
    _tenancy(apartment, oc2, officer, date(2025, 7, 1), decision=od1)
    course = make_course_round(unit, [pilot], starts_on=date(2025, 5, 5))
    enrol_directly(course, oc2, completed_on=date(2025, 5, 26))
    _notice(unit, officer, date(2025, 3, 3), outcome=NoticeOutcome.EVICTED, children=1)
    order = _order(unit, officer, OrderKind.OUTREACH, at(2025, 2, 2, 10), active=pilot, state=OrderState.IN_PROGRESS,
                   accepted_at=at(2025, 2, 2, 11), first_visit_at=at(2025, 2, 3, 10))
    _visit(order, at(2025, 2, 3, 10), kind=VisitKind.OUTREACH_ATTEMPT)
    Complaint.objects.create(
        apartment=apartment, occurred_on=date(2025, 6, 6), kind=ComplaintKind.DAMAGE,
        source=ComplaintSource.LANDLORD, description="Fiktiv skada.", registered_by=officer,
    )
    EnforcementFigures.objects.create(
        municipality=unit.municipality, year=2025, eviction_applications=4, executed_evictions=1,
        children_affected=0, entered_by=officer,
    )
    o.update({"other_officer": officer, "other_pilot": pilot, "oa1": apartment, "oc1": oc1, "oc2": oc2, "od1": od1})
