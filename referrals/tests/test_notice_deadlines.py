"""The pay-by date (three weeks after a termination for rent arrears) and the
urgency order of the notice list, with hand-built dates."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import EvictionNotice, NoticeOutcome, NoticeReason
from referrals.tests.factories_notices import EvictionNoticeFactory


def build(**fields):
    return EvictionNotice(received_on=date(2024, 5, 2), **fields)


# --- Pay-by date -----------------------------------------------------------


def test_rent_arrears_pay_by_is_three_weeks_after_the_termination():
    notice = build(reason=NoticeReason.RENT_ARREARS, termination_date=date(2024, 5, 1))

    # 1 May + 21 days = 22 May.
    assert notice.compute_pay_by_date() == date(2024, 5, 22)


def test_rent_arrears_without_termination_date_counts_from_the_received_date():
    notice = build(reason=NoticeReason.RENT_ARREARS, termination_date=None)

    # Received 2 May + 21 days = 23 May.
    assert notice.compute_pay_by_date() == date(2024, 5, 23)


def test_the_three_weeks_run_over_a_month_end():
    notice = build(reason=NoticeReason.RENT_ARREARS, termination_date=date(2024, 12, 20))

    assert notice.compute_pay_by_date() == date(2025, 1, 10)


@pytest.mark.parametrize("reason", [NoticeReason.DISTURBANCE, NoticeReason.OTHER])
def test_disturbance_and_other_reasons_have_no_pay_by_date(reason):
    notice = build(reason=reason, termination_date=date(2024, 5, 1))

    assert notice.compute_pay_by_date() is None


@pytest.mark.django_db
def test_pay_by_is_stored_on_save_and_follows_a_changed_reason(unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, reason=NoticeReason.DISTURBANCE,
                                   termination_date=date(2024, 5, 1))
    assert notice.pay_by_date is None

    notice.reason = NoticeReason.RENT_ARREARS
    notice.save()

    assert EvictionNotice.objects.get().pay_by_date == date(2024, 5, 22)


@pytest.mark.django_db
def test_detail_shows_the_computed_pay_by_date_with_days_left(client, unit, case_officer):
    today = timezone.localdate()
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, received_on=today - timedelta(days=4),
                                   termination_date=today - timedelta(days=5))
    client.force_login(case_officer)

    html = client.get(reverse("referrals:notice_detail", args=[notice.pk])).content.decode()

    # Terminated five days ago: 21 - 5 = 16 days left to pay.
    assert f"{today + timedelta(days=16):%Y-%m-%d}" in html
    assert "16 dagar kvar" in html
    assert "Tre veckor efter uppsägningen." in html


@pytest.mark.django_db
def test_a_passed_deadline_says_so_in_words(client, unit, case_officer):
    today = timezone.localdate()
    EvictionNoticeFactory(unit=unit, registered_by=case_officer, received_on=today - timedelta(days=30),
                          termination_date=today - timedelta(days=22))
    client.force_login(case_officer)

    html = client.get(reverse("referrals:notice_list")).content.decode()

    assert "passerat för 1 dag sedan" in html


# --- Urgency order ---------------------------------------------------------


@pytest.fixture
def hand_built(unit, case_officer):
    """Six notices; the deadline is the earlier of the eviction and pay-by date.

    C: pay by 22 May (terminated 1 May), eviction 1 July  -> 22 May
    F: arrears, no termination date, received 10 May      -> 31 May
    B: pay by 10 June (terminated 20 May), two children   -> 10 June
    A: disturbance, eviction 10 June, no children          -> 10 June
    E: other reason, no dates, received 1 May              -> none (last)
    D: disturbance, no dates, received 3 May               -> none (last)
    B before A: the same day, children first. E before D: received earlier.
    """
    def make(label, **fields):
        fields.setdefault("termination_date", None)
        return EvictionNoticeFactory(unit=unit, registered_by=case_officer, tenant_name=f"Hyresgäst {label}", **fields)

    return {
        "D": make("D", reason=NoticeReason.DISTURBANCE, received_on=date(2024, 5, 3)),
        "A": make("A", reason=NoticeReason.DISTURBANCE, eviction_date=date(2024, 6, 10), received_on=date(2024, 5, 1)),
        "E": make("E", reason=NoticeReason.OTHER, received_on=date(2024, 5, 1)),
        "B": make("B", reason=NoticeReason.RENT_ARREARS, termination_date=date(2024, 5, 20), children_count=2,
                  received_on=date(2024, 5, 21)),
        "F": make("F", reason=NoticeReason.RENT_ARREARS, received_on=date(2024, 5, 10)),
        "C": make("C", reason=NoticeReason.RENT_ARREARS, termination_date=date(2024, 5, 1),
                  eviction_date=date(2024, 7, 1), received_on=date(2024, 5, 2)),
    }


def labels(notices):
    return [notice.tenant_name.removeprefix("Hyresgäst ") for notice in notices]


def test_by_urgency_orders_by_nearest_deadline_children_first_undated_last(hand_built):
    assert labels(EvictionNotice.objects.by_urgency()) == ["C", "F", "B", "A", "E", "D"]


def test_the_list_shows_open_notices_by_urgency_and_all_on_request(client, case_officer, hand_built):
    closed = hand_built["C"]
    closed.outcome = NoticeOutcome.PREVENTED_PAID
    closed.save()
    unknown = hand_built["F"]
    unknown.outcome = NoticeOutcome.UNKNOWN  # still open: nobody knows how it ended
    unknown.save()
    client.force_login(case_officer)

    open_html = client.get(reverse("referrals:notice_list")).content.decode()
    all_html = client.get(reverse("referrals:notice_list") + "?alla=1").content.decode()

    def order_in(html):
        found = [(html.find(f"Hyresgäst {label}<"), label) for label in "ABCDEF"]
        return [label for position, label in sorted(found) if position >= 0]

    assert order_in(open_html) == ["F", "B", "A", "E", "D"]
    assert order_in(all_html) == ["C", "F", "B", "A", "E", "D"]


def test_the_list_marks_children_with_an_icon_and_words(client, case_officer, hand_built):
    client.force_login(case_officer)

    html = client.get(reverse("referrals:notice_list")).content.decode()

    assert "Barn i hushållet: 2" in html
    assert 'class="children-marker' in html and 'aria-hidden="true"' in html


@pytest.mark.django_db
def test_a_settled_notice_shows_its_dates_without_counting_days(client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, outcome=NoticeOutcome.PREVENTED_PAID,
                                   outcome_on=date(2024, 5, 20))
    client.force_login(case_officer)

    for url in (reverse("referrals:notice_list") + "?alla=1", reverse("referrals:notice_detail", args=[notice.pk])):
        html = client.get(url).content.decode()
        assert "2024-05-22" in html, url
        assert "passerat" not in html and "kvar" not in html, url
