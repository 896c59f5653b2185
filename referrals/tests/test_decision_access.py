"""Who may reach which decision page: anonymous → login, wrong role → 403,
case officer of another unit → 404, right role → 200. Bolotsar and system
administrators have no business with decisions: 403."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory

LOGIN = reverse("accounts:login")

# name → (method, which object the URL is about)
URLS = {
    "client_decisions": ("get", "client"),
    "decision_create": ("get", "client"),
    "decision_detail": ("get", "decision"),
    "decision_history": ("get", "decision"),
    "decision_edit": ("get", "decision"),
    "decision_waiting_list": ("get", None),
    "decision_execute": ("post", "decision"),
    "decision_interrupt": ("post", "decision"),
    "decision_resume": ("post", "interruption"),
    "decision_close": ("post", "decision"),
    "decision_offer_add": ("post", "decision"),
    "decision_delay_reason": ("post", "decision"),
}
READ = {"client_decisions", "decision_detail", "decision_history", "decision_waiting_list"}
FORBIDDEN = dict.fromkeys(URLS, 403)

EXPECTED = {
    # A refused (empty) step form shows the page again: 200. An empty
    # reason for the delay is valid (it clears it): back to the decision.
    "case_officer": {**dict.fromkeys(URLS, 200), "decision_delay_reason": 302},
    "manager": {name: 200 if name in READ else 403 for name in URLS},
    "pilot": FORBIDDEN,
    "second_pilot": FORBIDDEN,
    "housing_admin": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "outside_officer": {name: 200 if name == "decision_waiting_list" else 404 for name in URLS},
}


@pytest.fixture
def records(client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    interruption = InterruptionFactory(decision=decision, started_on=date(2025, 3, 1))
    return {"client": client_record, "decision": decision, "interruption": interruption}


def request(client, name, records):
    method, about = URLS[name]
    if about == "client":
        args = [records["client"].pk]
    elif about == "decision":
        args = [records["decision"].pk]
    elif about == "interruption":
        args = [records["decision"].pk, records["interruption"].pk]
    else:
        args = []
    return getattr(client, method)(reverse(f"referrals:{name}", args=args))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_login(client, records, name):
    response = request(client, name, records)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(URLS))
def test_status_per_role(client, users, records, who, name):
    client.force_login(users[who])

    assert request(client, name, records).status_code == EXPECTED[who][name]


@pytest.mark.django_db
def test_refused_requests_write_no_access_log(client, users, records):
    for who in ("pilot", "system_admin", "outside_officer"):
        client.force_login(users[who])
        for name in URLS:
            request(client, name, records)

    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_history_page_shows_the_changes_and_is_logged(client, case_officer, records):
    from audit.context import AuditContext
    from referrals.services import decisions as services

    decision = records["decision"]
    decision.reasoning = "Ny motivering"
    services.update_decision(AuditContext(user=case_officer), decision, expected_version=decision.version)
    client.force_login(case_officer)

    html = client.get(reverse("referrals:decision_history", args=[decision.pk])).content.decode()

    assert "Ny motivering" in html and "Fiktivt beslut för test." in html
    assert AccessLogEntry.objects.filter(action="view", object_id=str(decision.pk)).count() == 1
