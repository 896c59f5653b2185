"""Which decisions and interruptions are in which quarter's IVO report.

"Three months" are calendar months: a decision is reportable from the day
after the same date three months later (30 November → 28/29 February is the
last day within, 1 March the first reportable day). Every date below is
written out, with the figures worked out by hand in the comments.
"""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from core import personnummer
from referrals.models import Client, DecisionKind, DecisionOutcome, LegalGender, OfferAnswer, ProtectionLevel
from referrals.services import ivo
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decide(unit, case_officer):
    """A granted decision of a new client in the case officer's unit."""

    def make(decided_on, *, client=None, **fields):
        client = client or ClientFactory(unit=unit)
        return DecisionFactory(client=client, decided_by=case_officer, decided_on=decided_on, **fields)

    return make


@pytest.fixture
def protected_officer(case_officer):
    """The case officer with the permission to see protected people."""
    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    return type(case_officer).objects.get(pk=case_officer.pk)  # a fresh permission cache


def rows(user, year, quarter):
    return ivo.quarter_report(user, year, quarter)


def row_of(user, year, quarter, decision, *, interruption=False):
    """The decision's row in the report, or None when it is not there."""
    found = [
        row for row in rows(user, year, quarter)
        if row.decision_id == decision.pk and row.is_interruption == interruption
    ]
    assert len(found) <= 1
    return found[0] if found else None


# --- 30 November: three calendar months end on the last day of February -----------


def test_decision_of_30_november_is_reportable_from_1_march(decide, case_officer):
    decision = decide(date(2024, 11, 30))

    assert decision.execution_due_by == date(2025, 2, 28)
    assert decision.reportable_from == date(2025, 3, 1)
    # Not in the report of the quarter the decision was made in…
    assert row_of(case_officer, 2024, 4, decision) is None
    # …but in Q1 of the next year, still waiting on 31 March:
    # 30 Nov → 31 Dec 31 days, → 31 Jan 62, → 28 Feb 90, → 31 Mar 121.
    row = row_of(case_officer, 2025, 1, decision)
    assert row is not None
    assert (row.decided_on, row.executed_on, row.days_waiting) == (date(2024, 11, 30), None, 121)


def test_decision_of_30_november_executed_on_28_february_is_never_reportable(decide, case_officer):
    decision = decide(date(2024, 11, 30), executed_on=date(2025, 2, 28))

    for year, quarter in [(2024, 4), (2025, 1), (2025, 2)]:
        assert row_of(case_officer, year, quarter, decision) is None


def test_decision_of_30_november_executed_on_1_march_is_reported_with_that_date(decide, case_officer):
    decision = decide(date(2024, 11, 30), executed_on=date(2025, 3, 1))

    row = row_of(case_officer, 2025, 1, decision)
    # Waited 30 Nov → 1 Mar: 91 days.
    assert (row.executed_on, row.days_waiting) == (date(2025, 3, 1), 91)
    assert row_of(case_officer, 2025, 2, decision) is None


def test_in_a_leap_year_the_last_day_within_is_29_february(decide, case_officer):
    on_time = decide(date(2023, 11, 30), executed_on=date(2024, 2, 29))
    waiting = decide(date(2023, 11, 30))

    assert on_time.execution_due_by == date(2024, 2, 29)
    assert row_of(case_officer, 2024, 1, on_time) is None
    assert row_of(case_officer, 2024, 1, waiting) is not None


# --- Executed on the last day of the third month -------------------------------------


@pytest.mark.parametrize(
    "decided_on, last_day_within",
    [
        (date(2025, 1, 15), date(2025, 4, 15)),
        # 31 January + 3 months: April has 30 days.
        (date(2025, 1, 31), date(2025, 4, 30)),
    ],
)
def test_executed_on_the_last_day_of_the_third_month_is_not_reportable(
    decide, case_officer, decided_on, last_day_within
):
    on_time = decide(decided_on, executed_on=last_day_within)
    a_day_late = decide(decided_on, executed_on=date.fromordinal(last_day_within.toordinal() + 1))

    assert on_time.execution_due_by == last_day_within
    assert row_of(case_officer, 2025, 2, on_time) is None
    late = row_of(case_officer, 2025, 2, a_day_late)
    assert late.executed_on == date.fromordinal(last_day_within.toordinal() + 1)


# --- Repeated quarter after quarter; executed during a quarter ---------------------


def test_a_waiting_decision_is_repeated_in_consecutive_quarters(decide, case_officer):
    # Decided 10 January 2025: last day within 10 April, reportable from 11 April.
    decision = decide(date(2025, 1, 10))

    assert row_of(case_officer, 2025, 1, decision) is None
    q2 = row_of(case_officer, 2025, 2, decision)
    q3 = row_of(case_officer, 2025, 3, decision)
    # 10 Jan → 30 Jun: 21 + 28 + 31 + 30 + 31 + 30 = 171; → 30 Sep: 171 + 92 = 263.
    assert (q2.days_waiting, q2.executed_on) == (171, None)
    assert (q3.days_waiting, q3.executed_on) == (263, None)


def test_executed_during_the_quarter_after_becoming_reportable(decide, case_officer):
    decision = decide(date(2025, 1, 10), executed_on=date(2025, 8, 20))

    # Q2: still waiting on 30 June, no execution date yet.
    assert row_of(case_officer, 2025, 2, decision).executed_on is None
    # Q3: shown with the execution date; waited 10 Jan → 20 Aug = 222 days.
    q3 = row_of(case_officer, 2025, 3, decision)
    assert (q3.executed_on, q3.days_waiting) == (date(2025, 8, 20), 222)
    # Q4: reported as executed last quarter; gone.
    assert row_of(case_officer, 2025, 4, decision) is None


def test_executed_in_the_quarter_it_became_reportable(decide, case_officer):
    # Reportable from 11 April, executed 20 May: one row, in Q2, with the date.
    decision = decide(date(2025, 1, 10), executed_on=date(2025, 5, 20))

    assert row_of(case_officer, 2025, 1, decision) is None
    assert row_of(case_officer, 2025, 2, decision).executed_on == date(2025, 5, 20)
    assert row_of(case_officer, 2025, 3, decision) is None


def test_closed_without_execution_is_shown_with_the_closing_date_once(decide, case_officer):
    decision = decide(date(2025, 1, 10), closed_on=date(2025, 5, 5), close_reason="Tackade nej till insatsen")

    q2 = row_of(case_officer, 2025, 2, decision)
    # 10 Jan → 5 May = 115 days.
    assert (q2.closed_on, q2.executed_on, q2.days_waiting) == (date(2025, 5, 5), None, 115)
    assert row_of(case_officer, 2025, 3, decision) is None


def test_closed_before_becoming_reportable_is_never_reported(decide, case_officer):
    decision = decide(date(2025, 1, 10), closed_on=date(2025, 4, 10), close_reason="Flyttade")

    assert row_of(case_officer, 2025, 2, decision) is None


def test_rejected_decisions_are_never_reported(decide, case_officer):
    decision = decide(date(2024, 1, 10), outcome=DecisionOutcome.REJECTED)

    assert row_of(case_officer, 2024, 3, decision) is None


# --- Interruptions --------------------------------------------------------------------


def test_an_interruption_spanning_a_new_year(decide, case_officer):
    # Interrupted 15 November 2024: last day within 15 February 2025,
    # reportable from 16 February.
    open_one = InterruptionFactory(
        decision=decide(date(2024, 3, 1), executed_on=date(2024, 6, 1)), started_on=date(2024, 11, 15)
    )
    resumed_in_time = InterruptionFactory(
        decision=decide(date(2024, 3, 1), executed_on=date(2024, 6, 1)),
        started_on=date(2024, 11, 15), ended_on=date(2025, 2, 10),
    )

    assert open_one.resume_due_by == date(2025, 2, 15)
    assert row_of(case_officer, 2024, 4, open_one.decision, interruption=True) is None
    row = row_of(case_officer, 2025, 1, open_one.decision, interruption=True)
    # 15 Nov → 31 Mar: 15 + 31 + 31 + 28 + 31 = 136 days.
    assert (row.interrupted_on, row.executed_on, row.days_waiting) == (date(2024, 11, 15), None, 136)
    assert row.decided_on == date(2024, 3, 1)
    # Resumed 10 February, before the three months had passed: not reported.
    assert row_of(case_officer, 2025, 1, resumed_in_time.decision, interruption=True) is None
    # The executed decisions themselves were executed in time: no decision rows.
    assert row_of(case_officer, 2025, 1, open_one.decision) is None


def test_an_interruption_resumed_after_becoming_reportable(decide, case_officer):
    interruption = InterruptionFactory(
        decision=decide(date(2024, 3, 1), executed_on=date(2024, 6, 1)),
        started_on=date(2024, 11, 15), ended_on=date(2025, 2, 20),
    )

    row = row_of(case_officer, 2025, 1, interruption.decision, interruption=True)
    # Shown with the resumption as the execution date; 15 Nov → 20 Feb = 97 days.
    assert (row.executed_on, row.days_waiting) == (date(2025, 2, 20), 97)
    assert row_of(case_officer, 2025, 2, interruption.decision, interruption=True) is None


def test_closing_ends_a_reportable_interruption(decide, case_officer):
    decision = decide(date(2024, 3, 1), executed_on=date(2024, 6, 1), closed_on=date(2025, 3, 10), close_reason="Avflyttad")
    InterruptionFactory(decision=decision, started_on=date(2024, 11, 15))

    row = row_of(case_officer, 2025, 1, decision, interruption=True)
    assert (row.closed_on, row.executed_on) == (date(2025, 3, 10), None)
    assert row_of(case_officer, 2025, 2, decision, interruption=True) is None


def test_interruption_reason_is_used_when_no_delay_reason_is_given(decide, case_officer):
    decision = decide(date(2024, 3, 1), executed_on=date(2024, 6, 1))
    InterruptionFactory(decision=decision, started_on=date(2024, 11, 15), reason="Vård på sjukhus")

    assert row_of(case_officer, 2025, 1, decision, interruption=True).delay_reason == "Vård på sjukhus"


# --- Report content: IVO's form ------------------------------------------------------


def test_the_report_identifies_the_person_by_their_number(unit, case_officer, decide):
    number = personnummer.make_number(date(1985, 3, 14), 231)  # serial ...3 1: odd → man
    client = ClientFactory(unit=unit, personal_number=number)
    decision = decide(date(2025, 1, 10), client=client, kind=DecisionKind.TRAINING_APARTMENT,
                      delay_reason="Brist på träningslägenheter")

    row = row_of(case_officer, 2025, 2, decision)

    assert row.identity == f"19850314-{number[8:]}"
    assert "K" not in row.identity
    assert (row.legal_gender, row.legal_gender_label, row.birth_year) == (LegalGender.MALE, "Man", 1985)
    assert row.kind_label == "Träningslägenhet"
    assert (row.legal_reference, row.legal_act) == (decision.legal_basis.code, decision.legal_basis.law)
    assert (row.unit_name, row.municipality) == (unit.name, unit.municipality)
    assert row.delay_reason == "Brist på träningslägenheter"
    assert row.note == ""


def test_the_identity_is_whatever_ivo_identity_gives(unit, case_officer, decide, monkeypatch):
    """People without a Swedish number get their stored T-code from
    services.ivo_identity; the report takes the identity from there only."""
    decision = decide(date(2025, 1, 10))
    seen = []

    def fake(client):
        seen.append(client.pk)
        return "19850314-TF11"

    monkeypatch.setattr(ivo, "ivo_identity", fake)

    assert row_of(case_officer, 2025, 2, decision).identity == "19850314-TF11"
    assert seen == [decision.client_id]


def test_a_person_without_a_swedish_number_is_reported_by_the_stored_code(unit, case_officer, decide):
    """The real path, no stand-in: the code given at registration, with the
    parity of the person's legal gender, in this quarter and the next."""
    woman = ClientFactory(unit=unit, personal_number="", birth_date=date(1990, 7, 4), legal_gender=LegalGender.FEMALE)
    man = ClientFactory(unit=unit, personal_number="", birth_date=date(1990, 7, 4), legal_gender=LegalGender.MALE)
    for_woman = decide(date(2025, 1, 10), client=woman)
    for_man = decide(date(2025, 1, 10), client=man)

    first = row_of(case_officer, 2025, 2, for_woman).identity
    # The third character after the hyphen (the tens digit) is even for a
    # woman, odd for a man: T001 and T010 are the first of each.
    assert first == "19900704-T001" and woman.ivo_code == first
    assert row_of(case_officer, 2025, 2, for_man).identity == "19900704-T010"
    assert row_of(case_officer, 2025, 3, for_woman).identity == first
    assert row_of(case_officer, 2025, 2, for_woman).legal_gender_label == "Kvinna"


def test_reason_consequences_interim_support_and_offers_with_notes(case_officer, decide):
    decision = decide(
        date(2025, 1, 10), delay_reason="Brist på lägenheter", consequences="Bor kvar på härbärge",
        interim_support="Boendestöd två gånger i veckan",
    )
    OfferFactory(decision=decision, offered_on=date(2025, 2, 3), description="Lägenhet Fiktiva gatan 1",
                 answer=OfferAnswer.DECLINED, note="För långt från arbetet")
    OfferFactory(decision=decision, offered_on=date(2025, 7, 2), description="Efter kvartalet")

    row = row_of(case_officer, 2025, 2, decision)

    assert (row.delay_reason, row.consequences, row.interim_support) == (
        "Brist på lägenheter", "Bor kvar på härbärge", "Boendestöd två gånger i veckan")
    assert row.offers == (
        ivo.OfferLine(date(2025, 2, 3), "Lägenhet Fiktiva gatan 1", "Tackade nej", "För långt från arbetet"),
    )


def test_a_declined_offer_ends_nothing(case_officer, decide):
    decision = decide(date(2025, 1, 10))
    OfferFactory(decision=decision, offered_on=date(2025, 3, 1), answer=OfferAnswer.DECLINED)

    for quarter in (2, 3, 4):
        row = row_of(case_officer, 2025, quarter, decision)
        assert (row.executed_on, row.closed_on) == (None, None)
    assert row_of(case_officer, 2025, 4, decision).report_type == ivo.ReportType.NOT_EXECUTED


def test_a_partly_executed_decision_is_reported_for_the_part_not_executed(case_officer, decide):
    # Support started 1 March, the apartment has not: still reportable
    # from 11 April, with the part that has not started.
    decision = decide(date(2025, 1, 10), partly_executed_on=date(2025, 3, 1),
                      unexecuted_part="Träningslägenhet; boendestödet har börjat")

    row = row_of(case_officer, 2025, 2, decision)

    assert (row.partly_executed_on, row.unexecuted_part) == (
        date(2025, 3, 1), "Träningslägenhet; boendestödet har börjat")
    assert row.executed_on is None
    assert row.report_type == ivo.ReportType.NEW
    # Wholly executed 20 August: reported as executed in Q3, then gone.
    decision.executed_on = date(2025, 8, 20)
    decision.save()
    q3 = row_of(case_officer, 2025, 3, decision)
    assert (q3.report_type, q3.executed_on) == (ivo.ReportType.EXECUTED, date(2025, 8, 20))
    assert row_of(case_officer, 2025, 4, decision) is None


def test_report_types_new_then_still_not_executed_then_executed(case_officer, decide):
    decision = decide(date(2025, 1, 10), executed_on=date(2025, 11, 3))
    closed = decide(date(2025, 1, 10), closed_on=date(2025, 8, 1), close_reason="Flyttade")

    assert row_of(case_officer, 2025, 2, decision).report_type == ivo.ReportType.NEW
    assert row_of(case_officer, 2025, 3, decision).report_type == ivo.ReportType.NOT_EXECUTED
    assert row_of(case_officer, 2025, 4, decision).report_type == ivo.ReportType.EXECUTED
    assert row_of(case_officer, 2025, 3, closed).report_type == ivo.ReportType.CLOSED
    assert row_of(case_officer, 2025, 3, closed).report_type_label == "Avslutat"


@pytest.fixture
def protected_decision(unit, decide):
    client = ClientFactory(unit=unit, personal_number=personnummer.make_number(date(1975, 1, 9), 262),
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    decision = decide(date(2025, 1, 10), client=client, delay_reason="Väntar på lägenhet")
    OfferFactory(decision=decision, offered_on=date(2025, 2, 3), description="Lägenhet")
    return decision


def test_a_protected_person_is_reported_with_number_gender_and_the_mark(protected_decision, protected_officer):
    row = row_of(protected_officer, 2025, 2, protected_decision)

    assert row.is_protected
    assert row.identity == protected_decision.client.personal_number_display
    assert row.legal_gender_label == "Kvinna"  # serial 26: even
    assert row.note == "Personen har skyddade personuppgifter."
    assert row.delay_reason == "Väntar på lägenhet"
    assert ivo.hidden_count(protected_officer, 2025, 2) == 0


def test_a_protected_person_is_neither_listed_nor_found_without_the_permission(
    protected_decision, case_officer, decide
):
    ours = decide(date(2025, 1, 10))

    assert [row.decision_id for row in rows(case_officer, 2025, 2)] == [ours.pk]
    assert ivo.individual_report(case_officer, 2025, 2, protected_decision.pk, ivo.Subject.DECISION) is None
    assert ivo.hidden_count(case_officer, 2025, 2) == 1


def test_hidden_count_loads_no_client(protected_decision, case_officer, monkeypatch):
    """No read of a person the user is not shown is logged: no Client is built."""
    built = []
    monkeypatch.setattr(Client, "from_db", classmethod(lambda cls, *args: built.append(args)))

    assert ivo.hidden_count(case_officer, 2025, 2) == 1
    assert built == []


def test_only_the_users_visible_clients_are_reported(other_unit, case_officer, outside_officer, decide):
    ours = decide(date(2025, 1, 10))
    theirs = DecisionFactory(client=ClientFactory(unit=other_unit), decided_on=date(2025, 1, 10))

    assert {row.decision_id for row in rows(case_officer, 2025, 2)} == {ours.pk}
    assert {row.decision_id for row in rows(outside_officer, 2025, 2)} == {theirs.pk}
    assert ivo.individual_report(outside_officer, 2025, 2, ours.pk, ivo.Subject.DECISION) is None


def test_rows_are_sorted_by_the_start_of_the_wait(decide, case_officer):
    later = decide(date(2025, 2, 1))
    earlier = decide(date(2025, 1, 5))
    interrupted = decide(date(2024, 1, 5), executed_on=date(2024, 2, 1))
    InterruptionFactory(decision=interrupted, started_on=date(2025, 1, 20))

    assert [row.decision_id for row in rows(case_officer, 2025, 2)] == [earlier.pk, interrupted.pk, later.pk]


def test_the_report_takes_two_queries_whatever_the_number_of_rows(decide, case_officer, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            decision = decide(date(2025, 1, 10))
            OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
            InterruptionFactory(
                decision=decide(date(2024, 1, 10), executed_on=date(2024, 2, 1)), started_on=date(2025, 1, 2)
            )

    add(1)
    # The user's roles and permissions are read once per request, before the report.
    assert case_officer.role_names
    assert not case_officer.has_perm(ivo.PROTECTED_PERMISSION)
    with django_assert_num_queries(2):
        assert len(rows(case_officer, 2025, 2)) == 2
    add(4)
    with django_assert_num_queries(2):
        assert len(rows(case_officer, 2025, 2)) == 10


# --- Anonymised statistics --------------------------------------------------------------


def test_year_statistics_count_rows_per_quarter_by_gender_and_kind(unit, case_officer, decide):
    man = ClientFactory(unit=unit, personal_number=personnummer.make_number(date(1980, 5, 5), 231))
    woman = ClientFactory(unit=unit, personal_number=personnummer.make_number(date(1990, 6, 6), 248))
    protected = ClientFactory(
        unit=unit, personal_number=personnummer.make_number(date(1970, 7, 7), 251),
        protection_level=ProtectionLevel.ASSUMED_IDENTITY,
    )
    # Man, training apartment, 10 Jan 2025, waiting: in Q2, Q3 and Q4.
    decide(date(2025, 1, 10), client=man, kind=DecisionKind.TRAINING_APARTMENT)
    # Woman, home support, 10 Feb 2025, executed 20 Jun (after 10 May): in Q2 only.
    decide(date(2025, 2, 10), client=woman, kind=DecisionKind.HOME_SUPPORT, executed_on=date(2025, 6, 20))
    # Protected man, emergency housing executed in time, interrupted 1 Jul
    # 2025, still open: reportable from 2 Oct → Q4 only, gender not stated
    # (and counted although the case officer may not see the person).
    interrupted = decide(date(2025, 1, 2), client=protected, kind=DecisionKind.EMERGENCY_HOUSING,
                         executed_on=date(2025, 1, 20))
    InterruptionFactory(decision=interrupted, started_on=date(2025, 7, 1))
    # Executed in time: never counted.
    decide(date(2025, 3, 1), client=woman, executed_on=date(2025, 4, 1))

    stats = {item.quarter: item for item in ivo.year_statistics(case_officer, 2025)}

    assert [stats[q].total for q in (1, 2, 3, 4)] == [0, 2, 1, 2]
    assert stats[2].by_gender == {"male": 1, "female": 1, "not_stated": 0}
    assert stats[3].by_gender == {"male": 1, "female": 0, "not_stated": 0}
    assert stats[4].by_gender == {"male": 1, "female": 0, "not_stated": 1}
    assert stats[2].by_kind[DecisionKind.TRAINING_APARTMENT] == 1
    assert stats[2].by_kind[DecisionKind.HOME_SUPPORT] == 1
    assert stats[4].by_kind[DecisionKind.EMERGENCY_HOUSING] == 1
    assert sum(stats[4].by_kind.values()) == 2
    # Waited: man 10 Jan → 30 Jun (≤ 6 months), → 30 Sep (≤ 9), → 31 Dec
    # (≤ 12); woman 10 Feb → 20 Jun (≤ 6); interruption 1 Jul → 31 Dec (≤ 6).
    assert stats[2].by_waiting == {"up_to_6": 2, "up_to_9": 0, "up_to_12": 0, "up_to_18": 0, "over_18": 0}
    assert stats[3].by_waiting["up_to_9"] == 1
    assert stats[4].by_waiting == {"up_to_6": 1, "up_to_9": 0, "up_to_12": 1, "up_to_18": 0, "over_18": 0}
    # The same reports as the quarter's, those the officer may not see included.
    for quarter in (1, 2, 3, 4):
        visible = len(rows(case_officer, 2025, quarter))
        assert stats[quarter].total == visible + ivo.hidden_count(case_officer, 2025, quarter)


@pytest.mark.parametrize(
    "since, until, bucket",
    [
        (date(2025, 1, 31), date(2025, 7, 31), "up_to_6"),  # 31 Jan + 6 months = 31 Jul
        (date(2025, 1, 31), date(2025, 8, 1), "up_to_9"),
        (date(2024, 1, 10), date(2025, 1, 10), "up_to_12"),
        (date(2024, 1, 10), date(2025, 7, 10), "up_to_18"),
        (date(2024, 1, 10), date(2025, 7, 11), "over_18"),
    ],
)
def test_waiting_buckets_are_calendar_months(since, until, bucket):
    assert ivo.waiting_bucket(since, until) == bucket


def test_year_statistics_take_two_queries(case_officer, django_assert_num_queries):
    assert case_officer.role_names  # read once per request, before the statistics
    with django_assert_num_queries(2):
        ivo.year_statistics(case_officer, 2025)
