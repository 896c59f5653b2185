"""Golden tests: every KPI and additional figure of 2025 (with 2024 beside
it) on the hand-built data set of golden_data.py, each expected value
derived by hand in the comment above it. Names (C1, T3b, d5, o9, …) are
those of golden_data.py."""

from decimal import Decimal

import pytest

from reports.kpis import additional_figures, caseload_per_pilot, compute_kpis
from reports.kpis.records import RECORD_LISTS, UnknownRecordList, records_for
from reports.tests.golden_data import build_golden_dataset

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


@pytest.fixture
def kpis(golden, unit):
    return {kpi.number: kpi for kpi in compute_kpis(2025, unit)}


@pytest.fixture
def sections(golden, unit):
    return {section.key: section for section in additional_figures(2025, unit)}


def figures(result):
    return {figure.key: (figure.value, figure.previous) for figure in result.figures}


def test_the_eight_kpis_in_order(kpis):
    assert list(kpis) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [kpi.key for kpi in kpis.values()] == [f"kpi{n}" for n in range(1, 9)]
    for kpi in kpis.values():
        assert str(kpi.goal) and str(kpi.target) and str(kpi.definition)


def test_kpi1_independent_housing(kpis):
    kpi = kpis[1]
    # 2025 numerator: training tenancies ended in 2025 as own housing (T1, C1, 30 June) or first-hand
    # takeover (T2, C2, 30 Sep) = 2. T8 (own housing 2025) is a trial apartment: left out.
    # 2025 denominator: distinct clients holding a training tenancy during 2025: C1 (T1), C2 (T2),
    # C3 (T3b), C4 (T4), C5 (T5), C6 (T6), C7 (T7), C10 (T10b) = 8. C9 left 2024, C8 is in a trial apartment.
    # 2025: 2 / 8 = 25.0 %, target 50 % not met.
    # 2024 numerator: T10a (C10, own housing 31 May 2024) = 1 (T9 arrears, T3a internal move don't count).
    # 2024 denominator: C1, C2, C3 (T3a and T3b, once), C7 (from 1 Dec), C9 (until 31 Aug), C10 (T10a) = 6.
    # 2024: 1 / 6 = 16.67 → 16.7 %.
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.met) == (2, 8, D("25.0"), False)
    assert (kpi.previous_numerator, kpi.previous_denominator, kpi.previous) == (1, 6, D("16.7"))
    assert kpi.kind == "percent"
    # Own housing 2025: T1 = 1 (2024: T10a = 1); takeover 2025: T2 = 1 (2024: none).
    assert figures(kpi) == {
        "kpi1.independent": (2, 1), "kpi1.own_housing": (1, 1), "kpi1.takeover": (1, 0), "kpi1.clients": (8, 6),
    }


def test_kpi2_evictions(kpis):
    kpi = kpis[2]
    # Notices received 2025: n1 (10 Feb), n2 (20 May), n3 (1 Jun), n4 (15 Nov) = 4; 2024: n5, n6, n7 = 3.
    # With an eviction-prevention order: 2025 n1 (o3), n2 (o4) = 2; 2024 n5 (o7), n7 (o9, sent in 2025) = 2.
    # Ended evicted: 2025 n2 = 1 (n3 moved voluntarily); 2024 n5, n6 = 2.
    # Children in the evicted households: 2025 n2: 2; 2024 n5: 0 + n6: 3 = 3.
    # Enforcement authority, entered for the unit's municipality: 2025 5/2/1, 2024 6/3/0.
    # Met: 1 evicted < 2 the year before.
    assert (kpi.value, kpi.previous, kpi.met, kpi.kind) == (1, 2, True, "count")
    assert kpi.numerator is None and kpi.denominator is None
    assert figures(kpi) == {
        "kpi2.notices": (4, 3),
        "kpi2.with_order": (2, 2),
        "kpi2.evicted": (1, 2),
        "kpi2.children": (2, 3),
        "kpi2.enforcement_applications": (5, 6),
        "kpi2.enforcement_executed": (2, 3),
        "kpi2.enforcement_children": (1, 0),
    }


def test_kpi3_outreach(kpis):
    kpi = kpis[3]
    # Outreach/eviction-prevention orders sent in 2025 (Swedish time): o1, o2, o5 (outreach: 3) and
    # o3, o4, o9 (eviction prevention: 3) = 6. o6 (23:30 on 31 Dec 2024) is 2024's.
    # First attempt within 48 hours: o1 (exactly 48 h), o3 (nobody home after 7 h), o5 (14 h, into 2026),
    # o9 (5 h) = 4 (outreach o1, o5 = 2; eviction prevention o3, o9 = 2); o2 (48 h 1 min) and o4 (none) not.
    # 2025: 4 / 6 = 66.7 %.
    # 2024: o6, o8 (outreach), o7 (eviction prevention) = 3; within: o6 (10.5 h), o8 (24 h) = 2 (o7: 72 h).
    # 2024: 2 / 3 = 66.7 %. Met: 4 early contacts > 2.
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.met) == (4, 6, D("66.7"), True)
    assert (kpi.previous_numerator, kpi.previous_denominator, kpi.previous) == (2, 3, D("66.7"))
    assert figures(kpi) == {
        "kpi3.orders": (6, 3),
        "kpi3.outreach": (3, 2),
        "kpi3.eviction_prevention": (3, 1),
        "kpi3.within_48h": (4, 2),
        "kpi3.outreach_within_48h": (2, 2),
        "kpi3.eviction_prevention_within_48h": (2, 0),
    }


def test_kpi4_housing_course(kpis):
    kpi = kpis[4]
    # First-ever training tenancy started 2025: C4 (T4), C5 (T5), C6 (T6) = 3. Not C10 (T10b: had T10a),
    # not C3 (T3b is an internal move of 2024 anyway).
    # Course completed by 31 Dec 2025: C4 (20 Jul, before move-in), C5 (31 Dec, after move-in) = 2;
    # C6 completed 15 Jan 2026: too late. 2 / 3 = 66.7 %, target 100 % not met.
    # 2024: C7 (T7, 1 Dec) = 1, completed 15 Nov 2024 → 1 / 1 = 100.0 %.
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.met) == (2, 3, D("66.7"), False)
    assert (kpi.previous_numerator, kpi.previous_denominator, kpi.previous) == (1, 1, D("100.0"))
    assert figures(kpi) == {"kpi4.new_clients": (3, 1), "kpi4.completed": (2, 1)}


def test_kpi5_reuse(kpis):
    kpi = kpis[5]
    # Training tenancies starting 2025, not internal moves: T4 (A1), T5 (A5), T6 (A7), T10b (A9) = 4.
    # In an apartment with an earlier tenancy: T4 (A1 had T1), T10b (A9 had T10a) = 2 → 50.0 %, met.
    # 2024: T7 (A3 had T3a) = 1 of 1 (T3b into A4 is an internal move) → 100.0 %.
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.met) == (2, 4, D("50.0"), True)
    assert (kpi.previous_numerator, kpi.previous_denominator, kpi.previous) == (1, 1, D("100.0"))
    assert figures(kpi) == {"kpi5.new_tenancies": (4, 1), "kpi5.reused": (2, 1)}


def test_kpi6_non_executed_decisions(kpis):
    kpi = kpis[6]
    # First reportable day in 2025: d1 (30 Nov 2024 → 1 Mar 2025, executed 1 Nov), d3 (15 Oct 2024 →
    # 16 Jan 2025, executed 1 Mar), d10 (10 Jan → 11 Apr 2025, closed 15 May) = 3; training: d1, d3 = 2.
    # Not: d2 (executed in time), d6 (executed 28 Feb, its last day), d9 (from 21 Jan 2026), d7 rejected.
    # 2024: d4 (20 Aug → 21 Nov 2024, executed 1 Dec) and d5's interruption (10 Sep → 11 Dec 2024) = 2;
    # training: d4 = 1.
    # Met: 3 is more than half of 2 → not met.
    # Executed in 2025: d1 336 days, d2 60, d3 137, d6 89, d8 30 → median 89.0.
    # Executed in 2024: d4 103 days → median 103.0.
    assert (kpi.value, kpi.previous, kpi.met, kpi.kind) == (3, 2, False, "count")
    assert figures(kpi) == {
        "kpi6.reportable": (3, 2),
        "kpi6.reportable_training": (2, 1),
        "kpi6.executed": (5, 1),
        "kpi6.median_days": (D("89.0"), D("103.0")),
    }


def test_kpi7_takeovers(kpis):
    kpi = kpis[7]
    # Takeovers ended 2025: T2 = 1; 2024: none.
    # Candidates on 31 Dec 2025: C3 (in the programme since 15 Jan 2022 through the internal move) = 1;
    # on 31 Dec 2024: C2 (since 1 May 2021) = 1 (C3 then 2 years 11 months, C1 since 1 Mar 2022).
    assert (kpi.value, kpi.previous, kpi.met) == (1, 0, None)
    assert figures(kpi) == {"kpi7.takeovers": (1, 0), "kpi7.candidates": (1, 1)}


def test_kpi8_caseload(kpis, golden, unit):
    kpi = kpis[8]
    # 31 Dec 2025, bolots support under way: P1 b4; P2 b3, b5, b8 (b1, b2 completed, b7 cancelled in 2025,
    # b6 never accepted) = 4. Outreach/eviction prevention sent 2025: P1 o1, o3, o5; P2 o2, o4, o9 = 6.
    # P1 4, P2 6 → 10 orders / 2 bolotsar = 5.0, outside 35–45. P3 is only ever passive.
    # 2024: support P1 b1, b2, b7; P2 b3 = 4; outreach P1 o6, o8; P2 o7 = 3 → 7 / 2 = 3.5.
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.met) == (10, 2, D("5.0"), False)
    assert (kpi.previous_numerator, kpi.previous_denominator, kpi.previous) == (7, 2, D("3.5"))
    assert figures(kpi) == {
        "kpi8.support": (4, 4), "kpi8.outreach": (6, 3), "kpi8.caseload": (10, 7), "kpi8.pilots": (2, 2),
    }
    assert caseload_per_pilot(2025, unit) == [
        ("Pia Medarbetare Ett", 1, 3, 4),
        ("Per Medarbetare Två", 3, 3, 6),
    ]
    assert caseload_per_pilot(2024, unit) == [
        ("Pia Medarbetare Ett", 3, 2, 5),
        ("Per Medarbetare Två", 1, 1, 2),
    ]


def test_visits(sections):
    # 2025 visits (Swedish time): v1, v2, v3, v5, v6, v7, v8, v9, v10, v11 (23:30 on 31 Dec), v12 (1 Jan)
    # = 11; v4 is on 1 Jan 2026. Done: v1, v2, v5, v6, v11, v12 = 6. Cancelled: v3 nobody home, v7, v8
    # no-show, v9, v10 = 5; reasons: feeling unwell v7, work/studies v10, other v9; none: v3, v8 = 2.
    # Young adults (C4, 22): v6 done, v7 feeling unwell, v8 no-show → 3 planned, 1 done, 2 cancelled.
    # 2024: v13, v14, v16 done, v15 forgot → 4 planned, 3 done, 1 cancelled; no young adults.
    expected = {
        "visits.all.planned": (11, 4),
        "visits.all.done": (6, 3),
        "visits.all.cancelled": (5, 1),
        "visits.all.reason_feeling_unwell": (1, 0),
        "visits.all.reason_physical_illness": (0, 0),
        "visits.all.reason_work_or_studies": (1, 0),
        "visits.all.reason_forgot": (0, 1),
        "visits.all.reason_did_not_want": (0, 0),
        "visits.all.reason_other": (1, 0),
        "visits.all.no_reason": (2, 0),
        "visits.young.planned": (3, 0),
        "visits.young.done": (1, 0),
        "visits.young.cancelled": (2, 0),
        "visits.young.reason_feeling_unwell": (1, 0),
        "visits.young.reason_physical_illness": (0, 0),
        "visits.young.reason_work_or_studies": (0, 0),
        "visits.young.reason_forgot": (0, 0),
        "visits.young.reason_did_not_want": (0, 0),
        "visits.young.reason_other": (0, 0),
        "visits.young.no_reason": (1, 0),
    }
    assert figures(sections["visits"]) == expected


def test_complaints(sections):
    # 2025: cp1 disturbance (A1), cp2 damage (A1), cp3 damage (A3) = 3 on 2 apartments → 1.5 each.
    # 2024: cp4 disturbance (A3) = 1 on 1 apartment → 1.0.
    assert figures(sections["complaints"]) == {
        "complaints.total": (3, 1),
        "complaints.disturbance": (1, 1),
        "complaints.damage": (2, 0),
        "complaints.other": (0, 0),
        "complaints.apartments": (2, 1),
        "complaints.per_apartment": (D("1.5"), D("1.0")),
    }


def test_rent_figures_without_a_ledger(sections):
    """The golden data set has tenancies but no rent notices: the amounts
    and counts are 0 (counted, not "not available"), the shares None.
    The figures themselves are tested on a ledger in test_kpi_rent.py."""
    assert figures(sections["arrears"]) == {
        "arrears.amount": (0, 0), "arrears.tenancies": (0, 0), "arrears.tenants": (0, 0),
    }
    rent = figures(sections["rent"])
    assert rent["rent.charged"] == (0, 0) and rent["rent.collection_rate"] == (None, None)
    assert figures(sections["plans"])["plans.kept_share"] == (None, None)


def test_tenants(sections):
    # On 31 Dec 2025: C3 (T3b), C4, C5, C6, C7, C10 (T10b) = 6. Self-supporting: C3 (salary registered on
    # T3a, same stay), C5 (pension) = 2; C4 financial assistance, C7's student aid ended 30 Jun 2025, C10's
    # salary belongs to the earlier stay. 2 / 6 = 33.3 %.
    # On 31 Dec 2024: C1, C2, C3, C7, C8 (trial apartment) = 5; self-supporting C3, C7 = 2 → 40.0 %.
    # Days in the apartment on 31 Dec 2025: 425 + 152 + 305 + 60 + 395 + 91 = 1428 / 6 = 238 days
    # = 0.65 years → 0.7. On 31 Dec 2024: 1036 + 1340 + 60 + 30 + 365 = 2831 / 5 = 566.2 days → 1.6.
    assert figures(sections["tenants"]) == {
        "tenants.on_31_december": (6, 5),
        "tenants.self_supporting": (2, 2),
        "tenants.self_supporting_share": (D("33.3"), D("40.0")),
        "tenants.average_years": (D("0.7"), D("1.6")),
    }


def test_apartments_by_kind_and_tenure(sections):
    # 2025: training rental A1, A3, A5, A7, A9 = 5; training tenant-owner A2 (lease ended 30 Sep 2025), A4
    # = 2; trial rental A6 = 1; emergency tenant-owner A8 (leased from 2025) = 1 → 9. 2024: the same
    # without A8 → 8.
    result = figures(sections["apartments"])
    assert result.pop("apartments.total") == (9, 8)
    assert result == {
        "apartments.training.municipal_tenant_owner": (2, 2),
        "apartments.training.rental": (5, 5),
        "apartments.trial.municipal_tenant_owner": (0, 0),
        "apartments.trial.rental": (1, 1),
        "apartments.emergency.municipal_tenant_owner": (1, 0),
        "apartments.emergency.rental": (0, 0),
        "apartments.housing_first.municipal_tenant_owner": (0, 0),
        "apartments.housing_first.rental": (0, 0),
    }


def test_decisions_waiting(sections):
    # 31 Dec 2025: d9 (20 Oct 2025, reportable from 21 Jan 2026) = 1, training, not yet three months.
    # 31 Dec 2024: d1 (training), d3 (training), d6 (bolots) = 3, training 2; none past three months
    # (d3's last day is 15 Jan 2025).
    assert figures(sections["decisions"]) == {
        "decisions.waiting": (1, 3),
        "decisions.waiting_training": (1, 2),
        "decisions.waiting_reportable": (0, 0),
    }


def test_national_figures_add_the_other_unit(golden):
    kpis = {kpi.number: kpi for kpi in compute_kpis(2025)}
    # The other unit adds OC1 (own housing 31 May 2025) and OC2 (new 1 Jul 2025 in the reused OA1,
    # course completed 26 May 2025): KPI 1 3 / 10, KPI 4 3 / 4, KPI 5 3 / 5.
    assert (kpis[1].numerator, kpis[1].denominator, kpis[1].value) == (3, 10, D("30.0"))
    assert (kpis[4].numerator, kpis[4].denominator) == (3, 4)
    assert (kpis[5].numerator, kpis[5].denominator) == (3, 5)
    # One more notice ended evicted (2025), one more outreach order within 48 h, od1 reportable 16 Mar 2025.
    assert (kpis[2].value, kpis[3].numerator, kpis[3].denominator, kpis[6].value) == (2, 5, 7, 4)
    # The enforcement figures: the sum over the municipalities that entered the year.
    enforcement = figures(kpis[2])
    assert enforcement["kpi2.enforcement_applications"] == (9, 6)
    assert enforcement["kpi2.enforcement_executed"] == (3, 3)
    # The other unit's bolots has one outreach order: 11 orders over 3 bolotsar.
    assert (kpis[8].numerator, kpis[8].denominator, kpis[8].value) == (11, 3, D("3.7"))


def test_enforcement_figures_not_entered_are_none(golden, other_unit):
    kpi = compute_kpis(2025, other_unit)[1]
    # The other municipality entered 2025 only.
    assert figures(kpi)["kpi2.enforcement_applications"] == (4, None)
    assert figures(kpi)["kpi2.enforcement_children"] == (0, None)


def _all_figures(year, unit):
    for kpi in compute_kpis(year, unit):
        yield from kpi.figures
    for section in additional_figures(year, unit):
        yield from section.figures


@pytest.mark.parametrize("year", [2025, 2024])
@pytest.mark.parametrize("scope", ["unit", "national"])
def test_every_record_list_counts_what_its_figure_counts(golden, unit, year, scope):
    scope_unit = unit if scope == "unit" else None
    counted = {figure.key: figure for figure in _all_figures(year, scope_unit) if figure.drilldown == figure.key}
    # Every record list belongs to a figure, and every figure with a list names a known one.
    assert set(counted) == set(RECORD_LISTS)
    for figure in _all_figures(year, scope_unit):
        if figure.drilldown:
            assert figure.drilldown in RECORD_LISTS
    for key, figure in counted.items():
        records = records_for(key, year, scope_unit)
        assert records.model is RECORD_LISTS[key].model
        assert records.count() == figure.value, key
        previous = records_for(key, year - 1, scope_unit)
        assert previous.count() == figure.previous, key
    for kpi in compute_kpis(year, scope_unit):
        if kpi.drilldown and kpi.numerator is not None:
            assert records_for(kpi.drilldown, year, scope_unit).count() == kpi.numerator
        elif kpi.drilldown and kpi.kind == "count" and kpi.number != 8:
            assert records_for(kpi.drilldown, year, scope_unit).count() == kpi.value


def test_record_lists_are_the_records(golden, unit):
    g = golden
    assert set(records_for("kpi1.independent", 2025, unit)) == {g["t1"], g["t2"]}
    assert set(records_for("kpi4.completed", 2025, unit)) == {g["c4"], g["c5"]}
    assert set(records_for("kpi5.reused", 2025, unit)) == {g["t4"], g["t10b"]}
    assert set(records_for("kpi6.reportable", 2025, unit)) == {g["d1"], g["d3"], g["d10"]}
    assert set(records_for("kpi6.reportable", 2024, unit)) == {g["d4"], g["d5"]}
    assert set(records_for("kpi7.candidates", 2025, unit)) == {g["c3"]}
    assert set(records_for("kpi3.within_48h", 2025, unit)) == {g["o1"], g["o3"], g["o5"], g["o9"]}
    assert set(records_for("kpi2.evicted", 2024, unit)) == {g["n5"], g["n6"]}
    assert set(records_for("visits.young.cancelled", 2025, unit)) == {g["v7"], g["v8"]}


def test_unknown_record_list():
    with pytest.raises(UnknownRecordList):
        records_for("kpi9.nothing", 2025)
    with pytest.raises(KeyError):
        records_for("", 2025)
