"""Visit and cancellation statistics: hand-built visits whose expected
counts are worked out in the comments, months in Swedish time, young adults
(18–25 at the visit) apart from the rest, the reasons, and the page with its
charts."""

import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bolots.models import CancelReason, VisitKind, VisitOutcome
from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot, outreach_order
from reports.kpis.cancellations import ALL, OTHERS, YOUNG_ADULTS
from reports.services.cancellations import cancellation_statistics

TZ = ZoneInfo("Europe/Stockholm")
SVG = "{http://www.w3.org/2000/svg}"


def local(*parts):
    return datetime(*parts, tzinfo=TZ)


def visit(order, at, outcome=VisitOutcome.DONE, reason="", age=None, **kwargs):
    if reason == CancelReason.OTHER:
        kwargs.setdefault("cancel_reason_text", "Annat skäl.")
    return VisitFactory(order=order, visited_at=at, outcome=outcome, cancel_reason=reason, client_age=age, **kwargs)


@pytest.fixture
def visits(unit, other_unit, pilot, second_pilot, case_officer):
    """The hand-built year. Month boundaries are Swedish time (UTC+1 in
    winter, UTC+2 in summer); ages are on the day of the visit.

    #   local time            age  outcome              reason           counted in
    1   2026-01-31 23:30      17   done                                  Jan, others
    2   2026-02-01 00:30      18   cancelled by client  feeling unwell   Feb, young (31 Jan 23:30 UTC)
    3   2026-01-01 00:15      25   no-show              (none)           Jan, young (2025 in UTC)
    4   2025-12-31 23:45      30   done                                  2025: not in 2026
    5   2027-01-01 00:10      26   done                                  2027: not in 2026 (2026 in UTC)
    6   2026-12-31 23:50      26   cancelled by staff   other            Dec, others
    7   2026-03-10 10:00      –    nobody home          (none)           Mar, others (outreach, no client)
    8   2026-03-11 10:00      25   cancelled by client  work or studies  Mar, young
    9   2026-03-12 10:00      18   done                                  Mar, young
    10  2026-03-13 10:00      40   no-show              forgot           Mar, others
    11  2026-07-01 01:30      22   done                                  Jul, young (30 Jun 23:30 UTC)
    12  another unit's order  20   cancelled by client  feeling unwell   never counted
    """
    support = accepted_order(pilot, second_pilot, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    outreach = outreach_order(unit, case_officer, state=OrderState.IN_PROGRESS, active_pilot=pilot,
                              passive_pilot=second_pilot)
    visit(support, local(2026, 1, 31, 23, 30), age=17)
    visit(support, local(2026, 2, 1, 0, 30), VisitOutcome.CANCELLED_BY_CLIENT, CancelReason.FEELING_UNWELL, 18)
    visit(support, local(2026, 1, 1, 0, 15), VisitOutcome.NO_SHOW, age=25)
    visit(support, local(2025, 12, 31, 23, 45), age=30)
    visit(support, local(2027, 1, 1, 0, 10), age=26)
    visit(support, local(2026, 12, 31, 23, 50), VisitOutcome.CANCELLED_BY_STAFF, CancelReason.OTHER, 26)
    visit(outreach, local(2026, 3, 10, 10), VisitOutcome.NOBODY_HOME, kind=VisitKind.OUTREACH_ATTEMPT, client=None)
    visit(support, local(2026, 3, 11, 10), VisitOutcome.CANCELLED_BY_CLIENT, CancelReason.WORK_OR_STUDIES, 25)
    visit(support, local(2026, 3, 12, 10), age=18)
    visit(support, local(2026, 3, 13, 10), VisitOutcome.NO_SHOW, CancelReason.FORGOT, 40)
    visit(support, local(2026, 7, 1, 1, 30), age=22)
    stranger = accepted_order(make_pilot(other_unit, "annan1"), make_pilot(other_unit, "annan2"),
                              kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    visit(stranger, local(2026, 3, 10, 10), VisitOutcome.CANCELLED_BY_CLIENT, CancelReason.FEELING_UNWELL, 20)
    return unit


def counts(figures):
    return {
        "planned": figures.planned,
        "done": figures.done,
        "cancelled": figures.cancelled,
        **{outcome: n for outcome, n in figures.outcomes.items() if n and outcome != VisitOutcome.DONE},
    }


def test_months_are_swedish_time_and_ages_18_to_25_are_young_adults(visits):
    stats = cancellation_statistics(visits.pk, 2026)

    young = {month: counts(figures) for month, figures in stats.monthly(YOUNG_ADULTS) if figures.planned}
    others = {month: counts(figures) for month, figures in stats.monthly(OTHERS) if figures.planned}
    assert young == {
        1: {"planned": 1, "done": 0, "cancelled": 1, VisitOutcome.NO_SHOW: 1},  # 3 (age 25)
        2: {"planned": 1, "done": 0, "cancelled": 1, VisitOutcome.CANCELLED_BY_CLIENT: 1},  # 2 (age 18)
        3: {"planned": 2, "done": 1, "cancelled": 1, VisitOutcome.CANCELLED_BY_CLIENT: 1},  # 8, 9
        7: {"planned": 1, "done": 1, "cancelled": 0},  # 11
    }
    assert others == {
        1: {"planned": 1, "done": 1, "cancelled": 0},  # 1 (age 17)
        3: {"planned": 2, "done": 0, "cancelled": 2, VisitOutcome.NOBODY_HOME: 1, VisitOutcome.NO_SHOW: 1},  # 7, 10
        12: {"planned": 1, "done": 0, "cancelled": 1, VisitOutcome.CANCELLED_BY_STAFF: 1},  # 6 (age 26)
    }


def test_year_totals_and_shares(visits):
    stats = cancellation_statistics(visits.pk, 2026)

    # Young: 2, 3, 8, 9, 11 = 5 planned; 9 and 11 done; 2, 3, 8 cancelled: 3/5.
    assert counts(stats.totals[YOUNG_ADULTS]) == {
        "planned": 5, "done": 2, "cancelled": 3, VisitOutcome.CANCELLED_BY_CLIENT: 2, VisitOutcome.NO_SHOW: 1,
    }
    assert stats.totals[YOUNG_ADULTS].cancelled_share == pytest.approx(0.6)
    # Others: 1, 6, 7, 10 = 4 planned; 1 done; 3/4 cancelled.
    assert counts(stats.totals[OTHERS]) == {
        "planned": 4, "done": 1, "cancelled": 3, VisitOutcome.CANCELLED_BY_STAFF: 1,
        VisitOutcome.NOBODY_HOME: 1, VisitOutcome.NO_SHOW: 1,
    }
    assert stats.totals[OTHERS].cancelled_share == pytest.approx(0.75)
    # All of the unit's 2026 visits: 9, of which 6 cancelled. Not 4, 5 (other years) or 12 (other unit).
    assert counts(stats.totals[ALL])["planned"] == 9
    assert stats.totals[ALL].cancelled == 6


def test_reasons_per_month_and_year(visits):
    stats = cancellation_statistics(visits.pk, 2026)

    def reasons(figures):
        return {reason: n for reason, n in figures.reasons.items() if n}

    assert reasons(stats.months[YOUNG_ADULTS][2]) == {CancelReason.FEELING_UNWELL: 1}
    assert reasons(stats.months[YOUNG_ADULTS][3]) == {CancelReason.WORK_OR_STUDIES: 1}
    assert stats.months[YOUNG_ADULTS][1].without_reason == 1  # the no-show of 1 January
    assert reasons(stats.months[OTHERS][3]) == {CancelReason.FORGOT: 1}
    assert stats.months[OTHERS][3].without_reason == 1  # nobody home
    assert reasons(stats.months[OTHERS][12]) == {CancelReason.OTHER: 1}
    # The year: young 3 cancellations = unwell 1 + work 1 + none 1.
    young = stats.totals[YOUNG_ADULTS]
    assert reasons(young) == {CancelReason.FEELING_UNWELL: 1, CancelReason.WORK_OR_STUDIES: 1}
    assert young.without_reason == 1
    assert young.share_of_cancelled(young.reasons[CancelReason.FEELING_UNWELL]) == pytest.approx(1 / 3)
    assert reasons(stats.totals[ALL]) == {
        CancelReason.FEELING_UNWELL: 1, CancelReason.WORK_OR_STUDIES: 1, CancelReason.FORGOT: 1,
        CancelReason.OTHER: 1,
    }


def test_other_years_and_units_are_apart(visits, other_unit):
    assert cancellation_statistics(visits.pk, 2025).totals[ALL].planned == 1  # visit 4
    assert cancellation_statistics(visits.pk, 2027).totals[ALL].planned == 1  # visit 5
    assert cancellation_statistics(other_unit.pk, 2026).totals[ALL].planned == 1  # visit 12
    assert cancellation_statistics(None, 2026).totals[ALL].planned == 0  # no unit, nothing


def test_an_empty_year_gives_zeros_and_no_share(unit):
    stats = cancellation_statistics(unit.pk, 2026)

    assert all(figures.planned == 0 for _month, figures in stats.monthly(ALL))
    assert stats.totals[ALL].cancelled_share is None


# --- The page ---------------------------------------------------------------------


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:cancellations"), params)
    assert response.status_code == 200
    return response


def charts(html):
    """The inline SVG charts of a page, as strings."""
    found = []
    start = html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        if 'class="chart"' in html[start:html.index(">", start)]:
            found.append(html[start:end])
        start = html.find("<svg", end)
    return found


def test_page_shows_the_year_in_swedish_formats(client, visits, manager):
    html = page(client, manager, year=2026).content.decode()

    assert "Avbokningar 2026" in html
    # Summary: young 5 planned, 3 cancelled, 60,0 %; others 3 of 4, 75,0 %; all 6 of 9, 66,7 %.
    assert "60,0\xa0%" in html and "75,0\xa0%" in html and "66,7\xa0%" in html
    assert "Unga vuxna (18–25 år)" in html
    assert "Mådde dåligt" in html  # a reason's label
    assert "januari" in html and "december" in html


def test_the_year_is_chosen_with_a_get_parameter(client, visits, manager):
    html = page(client, manager, year=2025).content.decode()

    assert "Avbokningar 2025" in html
    assert '<option value="2025" selected>' in html


def test_a_year_outside_the_list_shows_an_error_and_this_year(client, visits, manager):
    html = page(client, manager, year=1999).content.decode()

    assert 'aria-invalid="true"' in html
    assert "Välj ett giltigt alternativ" in html


def test_two_charts_with_month_labels_titles_and_the_same_output_each_time(client, visits, manager):
    first = charts(page(client, manager, year=2026).content.decode())
    second = charts(page(client, manager, year=2026).content.decode())

    assert len(first) == 2
    assert first == second
    for svg in first:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title").text
        assert "2026" in title
        labels = {element.text for element in root.iter(f"{SVG}text")}
        assert {"jan", "feb", "mar", "maj", "okt", "dec"} <= labels
        assert {"Genomförda", "Avbokade"} <= labels
    assert "unga vuxna" in ET.fromstring(first[0]).find(f"{SVG}title").text


def test_bolots_of_the_unit_sees_the_page_and_the_menu_entry(client, visits, pilot):
    html = page(client, pilot).content.decode()

    assert 'href="/bolots/avbokningar/"' in html
