"""The review's pages: who may open them (anonymous, wrong role, a manager
of another unit, the unit's manager), what they show and log, and the
verdict, investigation and sign-off forms through the browser's posts."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry
from logreview.models import Outcome, ReviewItem, ReviewMonth, Verdict
from referrals.tests.factories import ClientFactory

from .factories import log_row, review_item, review_month


@pytest.fixture
def month(unit):
    return review_month(unit)


@pytest.fixture
def item(month, case_officer, client_record):
    return review_item(month, log_row(case_officer, client=client_record), rules=["off_hours", "no_errand"])


@pytest.fixture
def outsider_manager(other_unit):
    return UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])


def _urls(month, item):
    return [
        reverse("logreview:month_list"),
        reverse("logreview:month_detail", args=[month.pk]),
        reverse("logreview:month_sign_off", args=[month.pk]),
        reverse("logreview:item_detail", args=[item.pk]),
        reverse("logreview:item_close", args=[item.pk]),
        reverse("logreview:yearly_pdf", args=[2026]),
    ]


def test_anonymous_users_go_to_the_login(client, month, item):
    for url in _urls(month, item):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


def test_other_roles_are_refused(client, month, item, case_officer, pilot, housing_admin):
    for user in (case_officer, pilot, housing_admin):
        client.force_login(user)
        for url in _urls(month, item):
            assert client.get(url).status_code == 403, (user.username, url)


def test_a_manager_of_another_unit_finds_nothing(client, month, item, outsider_manager):
    client.force_login(outsider_manager)
    list_urls = _urls(month, item)
    assert client.get(list_urls[0]).status_code == 200
    assert "2026-10" not in client.get(list_urls[0]).content.decode()
    for url in list_urls[1:]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("logreview:item_detail", args=[item.pk]),
                           {"verdict": "justified", "note": "x", "version": 1})
    assert response.status_code == 404
    assert ReviewItem.objects.get(pk=item.pk).verdict == ""


def test_the_month_list_shows_the_figures(client, manager, month, item, pilot, client_record, django_assert_max_num_queries):
    review_item(month, log_row(pilot, client=client_record), sampled=True, verdict=Verdict.INVESTIGATE)
    signed = review_month(month.unit, date(2026, 9, 1), reads=80, signed_off_by=manager,
                          signed_off_at=month.drawn_at)
    client.force_login(manager)
    response = client.get(reverse("logreview:month_list"))
    body = response.content.decode()
    assert "2026-10" in body and "2026-09" in body
    assert "Inte attesterad" in body and "Attesterad" in body
    row = body[body.index("2026-10"):body.index("2026-09")]
    # 120 reads, 2 drawn, 1 left to judge, 1 open investigation.
    assert [">120<", ">2<", ">1<"] == [cell for cell in (">120<", ">2<", ">1<") if cell in row]
    assert reverse("logreview:yearly_pdf", args=[2026]) in body

    # The query count does not grow with the months.
    for n in range(3, 8):
        review_month(month.unit, date(2026, n, 1))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("logreview:month_list"))
    assert response.content.decode().count("/logggranskning/") >= 8
    assert signed.pk


def test_the_month_page_shows_each_read_in_swedish_and_logs_the_reading(client, manager, month, item, client_record):
    client.force_login(manager)
    before = AccessLogEntry.objects.count()
    response = client.get(reverse("logreview:month_detail", args=[month.pk]))
    body = response.content.decode()
    assert client_record.audit_label in body
    assert "Läsning utanför arbetstid" in body
    assert "Användaren har inget öppet uppdrag eller ärende för klienten" in body
    assert "Klient" in body and "Visa" in body  # the action and the object type in Swedish
    rows = AccessLogEntry.objects.filter(user=manager).order_by("pk")
    assert rows.count() > 0 and AccessLogEntry.objects.count() > before
    client_rows = rows.filter(client_id=client_record.pk, action=AccessAction.VIEW)
    assert client_rows.exists(), "the client shown on the month page is logged as read"
    assert rows.filter(object_type="logreview.reviewmonth", note="log review").exists()


def test_month_page_queries_do_not_grow_with_the_items(client, manager, month, case_officer, pilot,
                                                      django_assert_max_num_queries):
    for i in range(12):
        person = ClientFactory(unit=month.unit, responsible_officer=case_officer)
        review_item(month, log_row(pilot if i % 2 else case_officer, client=person), rules=["staff"] if i % 3 else ())
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("logreview:month_detail", args=[month.pk]))
    assert response.content.decode().count('class="review-item"') == 12


def test_judging_through_the_form(client, manager, month, item):
    client.force_login(manager)
    url = reverse("logreview:item_detail", args=[item.pk])
    page = client.get(url).content.decode()
    assert "Bedöm läsningen" in page and 'name="version" value="1"' in page

    response = client.post(url, {"verdict": "justified", "note": "", "version": 1})
    assert response.status_code == 200
    assert "Skriv varför läsningen var befogad." in response.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).verdict == ""

    response = client.post(url, {"verdict": "justified", "note": "Uppdrag om boendestöd", "version": 1})
    assert response.status_code == 302 and response["Location"] == reverse("logreview:month_detail", args=[month.pk])
    assert ReviewItem.objects.get(pk=item.pk).note == "Uppdrag om boendestöd"


def test_a_stale_form_shows_the_conflict_with_the_saved_verdict(client, manager, month, item):
    other = UserFactory(unit=month.unit, roles=[Role.MANAGER])
    client.force_login(other)
    client.post(reverse("logreview:item_detail", args=[item.pk]), {"verdict": "investigate", "note": "", "version": 1})
    client.force_login(manager)
    response = client.post(reverse("logreview:item_detail", args=[item.pk]),
                           {"verdict": "justified", "note": "Mitt svar", "version": 1})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan bedömde läsningen" in body and "Mitt svar" in body and "Sparade uppgifter just nu" in body
    assert ReviewItem.objects.get(pk=item.pk).verdict == Verdict.INVESTIGATE


def test_own_reads_cannot_be_judged_on_the_page(client, manager, month, client_record):
    own = review_item(month, log_row(manager, client=client_record), rules=["off_hours"])
    client.force_login(manager)
    url = reverse("logreview:item_detail", args=[own.pk])
    body = client.get(url).content.decode()
    assert "ingen granskar sina egna läsningar" in body
    assert 'name="verdict"' not in body
    assert "(din egen)" in client.get(reverse("logreview:month_detail", args=[month.pk])).content.decode()

    response = client.post(url, {"verdict": "justified", "note": "Jag behövde", "version": 1})
    assert response.status_code == 200
    assert "ingen granskar sina egna läsningar" in response.content.decode()
    assert ReviewItem.objects.get(pk=own.pk).verdict == ""


def test_closing_an_investigation(client, manager, month, item):
    client.force_login(manager)
    close_url = reverse("logreview:item_close", args=[item.pk])
    # Not judged "investigate": the item page instead.
    assert client.get(close_url)["Location"] == reverse("logreview:item_detail", args=[item.pk])
    ReviewItem.objects.filter(pk=item.pk).update(verdict=Verdict.INVESTIGATE)

    response = client.post(close_url, {"outcome": "unauthorised", "outcome_note": "", "version": 1})
    assert "Skriv vilka åtgärder som vidtagits" in response.content.decode()
    response = client.post(close_url, {"outcome": "unauthorised", "outcome_note": "Samtal med HR", "version": 1})
    assert response.status_code == 302
    stored = ReviewItem.objects.get(pk=item.pk)
    assert (stored.outcome, stored.outcome_note, stored.outcome_by) == (Outcome.UNAUTHORISED, "Samtal med HR", manager)


def test_sign_off_through_the_page(client, manager, month, item):
    client.force_login(manager)
    url = reverse("logreview:month_sign_off", args=[month.pk])
    detail = client.get(reverse("logreview:month_detail", args=[month.pk])).content.decode()
    assert "när alla läsningar är bedömda" in detail and url not in detail

    response = client.post(url, {"note": "Klart"})
    assert "1 av månadens läsningar är inte bedömda än" in response.content.decode()
    assert ReviewMonth.objects.get(pk=month.pk).signed_off_at is None

    ReviewItem.objects.filter(pk=item.pk).update(verdict=Verdict.JUSTIFIED, note="ok")
    assert url in client.get(reverse("logreview:month_detail", args=[month.pk])).content.decode()
    response = client.post(url, {"note": "   "})
    assert "Skriv en anteckning till attesten" in response.content.decode()
    response = client.post(url, {"note": "Inga avvikelser"})
    assert response.status_code == 302
    stored = ReviewMonth.objects.get(pk=month.pk)
    assert (stored.signed_off_by, stored.sign_off_note) == (manager, "Inga avvikelser")
    body = client.get(reverse("logreview:item_detail", args=[item.pk])).content.decode()
    assert "Månaden är attesterad" in body and 'name="verdict"' not in body


def test_the_menu_and_att_gora_lead_to_the_review(client, manager, case_officer, month, item):
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    assert "Loggranskning" in body
    assert "Loggranskningar som väntar på attest" in body
    assert "Loggranskning 2026-10" in body and "1 läsningar kvar att bedöma" in body
    ReviewMonth.objects.filter(pk=month.pk).update(signed_off_at=month.drawn_at, signed_off_by=manager)
    assert "Loggranskning 2026-10" not in client.get(reverse("home")).content.decode()

    client.force_login(case_officer)
    assert "Loggranskningar som väntar på attest" not in client.get(reverse("home")).content.decode()
