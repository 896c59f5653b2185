"""Who may reach the eviction-notice and concern-report pages: anonymous →
login, wrong role → 403, case officer of another unit → 404 on records,
case officer → allowed, manager → may look but not write."""

import pytest
from django.urls import reverse

from referrals.models import ConcernReport, EvictionNotice, Order
from referrals.tests.factories_notices import ConcernReportFactory, EvictionNoticeFactory

LOGIN = reverse("accounts:login")

LISTS = ["notice_list", "concern_list"]
CREATE = ["notice_create", "concern_create"]
RECORD_PAGES = ["notice_detail", "notice_edit", "client_notices", "concern_detail", "concern_edit"]
# POST-only actions, with the status a permitted user gets for the payload
# below: a new order redirects; an empty form is shown again with errors.
ACTIONS = {
    "notice_create_order": 302,
    "concern_create_order": 302,
    "notice_contact": 200,
    "notice_outcome": 200,
}
GET_URLS = LISTS + CREATE + RECORD_PAGES
ALL_URLS = GET_URLS + list(ACTIONS)
WRITES = {"notice_create", "concern_create", "notice_edit", "concern_edit", *ACTIONS}


@pytest.fixture
def records(unit, case_officer, client_record):
    return {
        "notice": EvictionNoticeFactory(unit=unit, registered_by=case_officer, client=client_record, tenant_name=""),
        "concern": ConcernReportFactory(unit=unit, registered_by=case_officer),
        "client": client_record,
    }


def url_for(name, records):
    if name in LISTS + CREATE:
        return reverse(f"referrals:{name}")
    if name == "client_notices":
        return reverse("referrals:client_notices", args=[records["client"].pk])
    record = records["concern"] if name.startswith("concern") else records["notice"]
    return reverse(f"referrals:{name}", args=[record.pk])


def request(client, name, records):
    url = url_for(name, records)
    return client.post(url, {}) if name in ACTIONS else client.get(url)


def expected(who, name):
    allowed = ACTIONS.get(name, 200)
    if who in ("pilot", "second_pilot", "housing_admin", "system_admin"):
        return 403
    if who == "manager":
        return 403 if name in WRITES else 200
    if who == "outside_officer":
        return allowed if name in LISTS + CREATE else 404
    return allowed  # case_officer


@pytest.mark.parametrize("name", ALL_URLS)
def test_anonymous_is_sent_to_login(client, records, name):
    response = request(client, name, records)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", ["case_officer", "manager", "pilot", "housing_admin", "system_admin", "outside_officer"])
@pytest.mark.parametrize("name", ALL_URLS)
def test_status_per_role(client, users, records, who, name):
    client.force_login(users[who])

    assert request(client, name, records).status_code == expected(who, name)


@pytest.mark.parametrize("name", list(ACTIONS))
def test_actions_refuse_get(client, case_officer, records, name):
    client.force_login(case_officer)

    assert client.get(url_for(name, records)).status_code == 405


def test_refused_users_change_nothing(client, users, records):
    for who in ("manager", "outside_officer", "pilot"):
        client.force_login(users[who])
        client.post(url_for("notice_create_order", records))
        client.post(url_for("concern_create_order", records))
        client.post(url_for("notice_outcome", records), {"outcome-outcome": "evicted", "outcome-outcome_on": "2024-06-01"})

    assert Order.objects.count() == 0
    assert EvictionNotice.objects.get().outcome == ""


def test_lists_show_only_the_units_records(client, case_officer, records, other_unit, outside_officer):
    EvictionNoticeFactory(unit=other_unit, registered_by=outside_officer, tenant_name="Främling Annanstad")
    ConcernReportFactory(unit=other_unit, registered_by=outside_officer, subject_name="Okänd Annanstad")
    client.force_login(case_officer)

    notices = client.get(reverse("referrals:notice_list")).content.decode()
    concerns = client.get(reverse("referrals:concern_list")).content.decode()

    assert records["client"].full_name in notices
    assert "Främling Annanstad" not in notices
    assert records["concern"].subject_name in concerns
    assert "Okänd Annanstad" not in concerns
    assert ConcernReport.objects.count() == 2


def test_navigation_shows_the_entries_to_those_who_may_see_them(client, users):
    client.force_login(users["manager"])
    html = client.get(reverse("home") + "?oversikt=1").content.decode()
    assert ">Underrättelser<" in html and ">Orosanmälningar<" in html

    client.force_login(users["pilot"])
    html = client.get(reverse("home") + "?oversikt=1").content.decode()
    assert ">Underrättelser<" not in html and ">Orosanmälningar<" not in html
