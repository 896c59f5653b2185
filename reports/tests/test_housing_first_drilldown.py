"""The Housing First figures drill down to exactly the records they count
(reports.kpis.housing_first's measures, the dashboard's drill-down page):
on the hand-built data set of housing_first_data.py (whose figures
test_housing_first_figures.py works out), every list has
as many records as its figure, for Y and Y−1, and the records are the ones
worked out by hand below. "Today" is fixed at 1 June 2026 (replacing
django.utils.timezone.localdate, which the lists and the page read), the
day that file's figures are worked out for."""

from datetime import date
from decimal import Decimal
from statistics import median

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from referrals.models import HousingFirstCandidate, ProtectionLevel
from referrals.models.housing_first import CandidateStage, HomelessSituation, ProposalSource
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import outreach_order
from reports import snapshots
from reports.kpis.housing_first import HOUSED_ON, section
from reports.kpis.records import RECORD_LISTS, records_for
from reports.models import YearSnapshot
from reports.tests.housing_first_data import build_candidates, build_tenancies, candidate

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)
YEAR = 2025
PROTECTED_TEXT = "Person med skyddade personuppgifter"
HF_KEYS = sorted(key for key in RECORD_LISTS if key.startswith("housing_first."))


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def candidates(unit, other_unit, case_officer):
    """C1–C8 of housing_first_data.py."""
    build_candidates(unit, other_unit, case_officer)


@pytest.fixture
def tenancies(unit, other_unit):
    """T1–T12 of housing_first_data.py."""
    build_tenancies(unit, other_unit)


def url(key, year=YEAR):
    return reverse("reports:drilldown", args=[year, key])


def proposal_days(key, year, unit):
    return sorted(c.proposed_on for c in records_for(key, year, unit))


def start_days(key, year, unit):
    return sorted(t.start_date for t in records_for(key, year, unit))


# --- The lists are the figures --------------------------------------------------------------------


def test_every_figure_has_a_list(candidates, tenancies, unit):
    figures = section(YEAR, unit, today=TODAY).figures
    assert all(figure.drilldown in RECORD_LISTS for figure in figures)
    # Each count is its own list; the averages list the candidates housed,
    # the share the cohort.
    counts = {figure.key for figure in figures if figure.drilldown == figure.key}
    assert counts == set(HF_KEYS)
    others = {figure.key: figure.drilldown for figure in figures if figure.drilldown != figure.key}
    assert others == {
        "housing_first.median_days": "housing_first.housed",
        "housing_first.mean_days": "housing_first.housed",
        "housing_first.kept_share": "housing_first.cohort",
    }
    assert {RECORD_LISTS[key].kind for key in HF_KEYS} == {"candidate", "tenancy"}


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_list_counts_what_its_figure_counts(candidates, tenancies, unit, year):
    for figure in section(year, unit, today=TODAY).figures:
        if figure.drilldown != figure.key:
            continue
        assert records_for(figure.key, year, unit).count() == figure.value, (figure.key, year)
        assert records_for(figure.key, year - 1, unit).count() == figure.previous, (figure.key, year - 1)


def test_the_candidate_lists_are_the_candidates_worked_out_by_hand(candidates, unit):
    d = date
    # Proposed 2025: C1 (1 Feb), C2 (1 Mar), C3 (1 Jun), C4 (1 Nov) = 4 (C7 is another unit's);
    # 2024: C5 (1 May), C6 (1 Oct) = 2; 2026 up to 1 June: C8 (5 Jan) = 1.
    assert proposal_days("housing_first.proposed", 2025, unit) == [d(2025, 2, 1), d(2025, 3, 1), d(2025, 6, 1),
                                                                   d(2025, 11, 1)]
    assert proposal_days("housing_first.proposed", 2024, unit) == [d(2024, 5, 1), d(2024, 10, 1)]
    assert proposal_days("housing_first.proposed", 2026, unit) == [d(2026, 1, 5)]
    # From outreach 2025: C2, C4; by the unit: C1, C3.
    assert proposal_days("housing_first.source.outreach", 2025, unit) == [d(2025, 3, 1), d(2025, 11, 1)]
    assert proposal_days("housing_first.source.unit", 2025, unit) == [d(2025, 2, 1), d(2025, 6, 1)]
    # Situation 1 in 2025: C1, C3; situation 3 in 2024: C5 (withdrawn, still proposed that year).
    assert proposal_days("housing_first.situation.1", 2025, unit) == [d(2025, 2, 1), d(2025, 6, 1)]
    assert proposal_days("housing_first.situation.3", 2024, unit) == [d(2024, 5, 1)]
    # Waiting on 31 December 2025: C3 (assessed), C4 (housed 2026); on 31 December 2024: C6.
    assert proposal_days("housing_first.waiting", 2025, unit) == [d(2025, 6, 1), d(2025, 11, 1)]
    assert proposal_days("housing_first.waiting", 2024, unit) == [d(2024, 10, 1)]
    # Waiting today (1 June 2026): C3 and C8 (C4 was housed on 15 January).
    assert proposal_days("housing_first.waiting", 2026, unit) == [d(2025, 6, 1), d(2026, 1, 5)]
    # Housed 2025: C6 (10 Jan), C1 (3 Mar), C2 (its tenancy, 30 May); 2026: C4 (15 Jan).
    assert proposal_days("housing_first.housed", 2025, unit) == [d(2024, 10, 1), d(2025, 2, 1), d(2025, 3, 1)]
    assert proposal_days("housing_first.housed", 2026, unit) == [d(2025, 11, 1)]
    assert not records_for("housing_first.housed", 2024, unit).exists()


def test_the_averages_are_taken_over_the_housed_list(candidates, unit):
    figures = {figure.key: figure for figure in section(YEAR, unit, today=TODAY).figures}
    housed = list(records_for("housing_first.housed", YEAR, unit))
    days = [(getattr(c, HOUSED_ON) - c.proposed_on).days for c in housed]
    # C6 101, C1 30, C2 90 days: the list gives the figures' median and mean.
    assert sorted(days) == [30, 90, 101]
    assert figures["housing_first.median_days"].value == Decimal(median(days))
    assert figures["housing_first.mean_days"].value == Decimal("73.7")
    assert len(housed) == figures["housing_first.housed"].value


def test_the_tenancy_lists_are_the_cohort_and_the_kept(tenancies, unit):
    d = date
    # The 2025 cohort: T3 (29 Feb), T1 (1 Mar), T8 (1 Apr), T2 (15 Jun), T4 (1 Sep), T5 (1 Oct) of 2024;
    # not T10's internal move of 1 March 2024, nor T7 (training), nor T9 (another unit's).
    assert start_days("housing_first.cohort", 2025, unit) == [d(2024, 2, 29), d(2024, 3, 1), d(2024, 4, 1),
                                                              d(2024, 6, 15), d(2024, 9, 1), d(2024, 10, 1)]
    # Kept: T3 (moved out on the anniversary), T1 (still there), T4 (moved within the programme).
    assert start_days("housing_first.kept", 2025, unit) == [d(2024, 2, 29), d(2024, 3, 1), d(2024, 9, 1)]
    # 2024: T6 (1 May 2023), kept.
    assert start_days("housing_first.cohort", 2024, unit) == [d(2023, 5, 1)]
    assert start_days("housing_first.kept", 2024, unit) == [d(2023, 5, 1)]
    # The share: kept / cohort of the lists = 3 / 6.
    share = next(f for f in section(YEAR, unit, today=TODAY).figures if f.key == "housing_first.kept_share")
    assert share.value == Decimal("50.0")


def test_national_lists_add_the_other_unit(candidates, tenancies, unit):
    # C7 (another unit's, proposed 1 April 2025, housed the next day) and T9 count nationally only.
    assert records_for("housing_first.proposed", YEAR, None).count() == 5
    assert records_for("housing_first.housed", YEAR, None).count() == 4
    assert records_for("housing_first.cohort", YEAR, None).count() == 7
    for figure in section(YEAR, None, today=TODAY).figures:
        if figure.drilldown == figure.key:
            assert records_for(figure.key, YEAR, None).count() == figure.value, figure.key


# --- The page ----------------------------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    response = client.get(url("housing_first.proposed"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(url("housing_first.proposed")).status_code == 403
    assert not AccessLogEntry.objects.filter(object_type="reports.drilldown").exists()


@pytest.mark.parametrize("key", HF_KEYS)
def test_every_list_opens_with_its_figure(client, candidates, tenancies, unit, manager, key):
    figure = next(f for f in section(YEAR, unit, today=TODAY).figures if f.key == key)
    client.force_login(manager)
    response = client.get(url(key))
    assert response.status_code == 200
    assert response.context["total"] == figure.value
    assert response.context["page_obj"].paginator.count + response.context["hidden"] == figure.value
    assert client.get(url(key, YEAR - 1)).context["total"] == figure.previous


def test_the_dashboard_links_every_housing_first_figure(client, candidates, tenancies, manager):
    client.force_login(manager)
    html = client.get(reverse("reports:dashboard", args=[YEAR])).content.decode()
    for key in HF_KEYS:
        assert url(key) in html, key
        assert url(key, YEAR - 1) in html, key


def test_manager_of_another_unit_sees_only_their_own(client, candidates, other_unit):
    # C7 is the other unit's one candidate proposed in 2025.
    client.force_login(UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER]))
    response = client.get(url("housing_first.proposed"))
    assert response.context["total"] == 1
    rows = response.context["rows"]
    assert len(rows) == 1
    candidate_id = int(rows[0][0].url.rstrip("/").rsplit("/", 1)[1])
    assert HousingFirstCandidate.objects.get(pk=candidate_id).unit == other_unit


@pytest.fixture
def people(unit, other_unit, case_officer):
    """Three candidates proposed in 2025 beside the others: a protected
    client, an outreach subject without a client file, and another unit's
    client proposed by this unit (the manager may not open that file)."""
    protected = ClientFactory(unit=unit, first_name="Hemlig", last_name="Skyddadsdotter",
                              protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    street = outreach_order(unit, case_officer, subject_name="Kvinna vid busstationen, kallas Vera")
    stranger = ClientFactory(unit=other_unit, first_name="Okänd", last_name="Främlingsson")
    common = {"unit": unit, "proposed_by": case_officer, "situation": HomelessSituation.ACUTE,
              "needs": "Fiktiva behov.", "stage": CandidateStage.PROPOSED}
    return {
        "protected": HousingFirstCandidate.objects.create(client=protected, source=ProposalSource.UNIT,
                                                          proposed_on=date(2025, 7, 1), **common),
        "street": HousingFirstCandidate.objects.create(outreach_order=street, source=ProposalSource.OUTREACH,
                                                       proposed_on=date(2025, 8, 1), **common),
        "stranger": HousingFirstCandidate.objects.create(client=stranger, source=ProposalSource.UNIT,
                                                         proposed_on=date(2025, 9, 1), **common),
    }


def test_names_as_the_candidate_pages_show_them(client, people, manager):
    client.force_login(manager)
    response = client.get(url("housing_first.proposed"))
    html = response.content.decode()
    # The protected client: masked, never by name (nor by the street name).
    assert PROTECTED_TEXT in html
    assert "Skyddadsdotter" not in html
    # The outreach subject by the order's name (never an address).
    assert "Kvinna vid busstationen, kallas Vera" in html
    assert "Storgatan 7" not in html
    # A client the manager may not open: no name.
    assert "Främlingsson" not in html
    assert "Klienten visas inte för dig" in html
    assert response.context["total"] == 3


def test_protected_client_shown_to_those_allowed(client, people, manager):
    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(manager)
    html = client.get(url("housing_first.proposed")).content.decode()
    assert "Hemlig Skyddadsdotter" in html
    assert PROTECTED_TEXT not in html


def test_the_view_is_written_to_the_access_log(client, candidates, people, manager):
    client.force_login(manager)
    response = client.get(url("housing_first.proposed"))
    entries = AccessLogEntry.objects.filter(object_type="reports.drilldown")
    # One row per client of the page (the outreach subject has none).
    clients = {c.client_id for c in HousingFirstCandidate.objects.filter(
        unit=manager.unit, proposed_on__year=YEAR, client__isnull=False)}
    assert {entry.client_id for entry in entries} == clients
    assert all(entry.user == manager and entry.note.startswith(f"housing_first.proposed {YEAR}")
               for entry in entries)
    assert response.context["total"] == 4 + 3


def _more_candidates(unit, proposer, count):
    for index in range(count):
        if index % 3:
            candidate(unit, proposer, date(YEAR, 1 + index % 12, 2), executed_on=date(YEAR, 12, 1))
        else:
            HousingFirstCandidate.objects.create(
                unit=unit, outreach_order=outreach_order(unit, proposer), source=ProposalSource.OUTREACH,
                proposed_by=proposer, proposed_on=date(YEAR, 1 + index % 12, 2), situation=HomelessSituation.ACUTE,
                needs="Fiktiva behov.",
            )


# The user, whether the year is fixed, the total, the visible count, the
# page, the access-log rows (2) and the menu's count: as every drill-down
# (reports/tests/test_drilldown.py).
QUERIES = 8


@pytest.mark.parametrize("key", ["housing_first.proposed", "housing_first.housed", "housing_first.cohort"])
def test_query_count_does_not_grow_with_the_records(client, candidates, tenancies, unit, manager, case_officer, key,
                                                     django_assert_num_queries):
    client.force_login(manager)
    client.get(url(key))
    with django_assert_num_queries(QUERIES):
        client.get(url(key))
    _more_candidates(unit, case_officer, 60)
    with django_assert_num_queries(QUERIES):
        response = client.get(url(key))
    assert response.status_code == 200
    with django_assert_num_queries(QUERIES):
        client.get(url(key), {"page": 2})


# --- A closed year's kept and fixed counts ----------------------------------------------------------------


def test_a_fixed_year_keeps_the_lists_counts(client, candidates, tenancies, unit, manager):
    snapshot, _created = snapshots.freeze_year(unit, YEAR, user=manager)
    kept = snapshot.data["drilldown"]
    # Records and distinct clients, as every list (the outreach subjects: records only).
    assert kept["housing_first.proposed"] == {"records": 4, "persons": 4}
    assert kept["housing_first.housed"] == {"records": 3, "persons": 3}
    assert kept["housing_first.cohort"] == {"records": 6, "persons": 6}
    assert kept["housing_first.kept"] == {"records": 3, "persons": 3}
    # A candidate culled after fixing: the page says the fixed figure and what is gone.
    gone = HousingFirstCandidate.objects.get(unit=unit, proposed_on=date(2025, 6, 1))
    gone.delete()
    client.force_login(manager)
    response = client.get(url("housing_first.proposed"))
    assert response.context["frozen"] is not None
    assert response.context["total"] == 4
    assert response.context["gone"] == 1
    assert response.context["culled_persons"] == 1
    # The dashboard of the fixed year links the figures too.
    html = client.get(reverse("reports:dashboard", args=[YEAR])).content.decode()
    assert url("housing_first.waiting") in html


def test_a_year_fixed_before_the_lists_existed_counts_live(client, candidates, unit, manager):
    snapshot, _created = snapshots.freeze_year(unit, YEAR, user=manager)
    data = snapshot.data
    data["drilldown"] = {k: v for k, v in data["drilldown"].items() if not k.startswith("housing_first.")}
    YearSnapshot.objects.filter(pk=snapshot.pk).update(data=data)
    client.force_login(manager)
    response = client.get(url("housing_first.proposed"))
    # Not "0 records when fixed": no count was kept, so the list is counted now.
    assert response.context["frozen"] is None
    assert response.context["total"] == 4
    assert "När året fastställdes" not in response.content.decode()


def test_kept_figures_of_a_closed_year_count_the_lists(candidates, tenancies, unit):
    from reports import year_figures

    data, kept = year_figures.count_year(unit.pk, YEAR)
    assert kept
    assert data["drilldown"]["housing_first.waiting"] == {"records": 2, "persons": 2}
    figures = {f["key"]: f for s in data["sections"] if s["key"] == "housing_first" for f in s["figures"]}
    assert figures["housing_first.kept_share"]["drilldown"] == "housing_first.cohort"
