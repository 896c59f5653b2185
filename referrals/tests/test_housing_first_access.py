"""Who may reach which Housing First page, as a table: every URL × anonymous,
bolots, case officer, housing administrator, manager, system administrator
and a case officer of another unit (the outsider). Anonymous → login; a
role without the permission → 403; a candidate or steering decision outside
the user's reach → 404; the right role → 200 (a step posted empty shows the
page again with the messages: 200)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
    SteeringPriority,
)
from referrals.tests.factories_orders import make_pilot, outreach_order

LOGIN = reverse("accounts:login")

# name → (method, which record the URL is about)
URLS = {
    "hf_candidates": ("get", None),
    "hf_candidate_create": ("get", None),
    "hf_candidate": ("get", "candidate"),
    "hf_candidate_edit": ("post", "candidate"),
    "hf_assessment_create": ("get", "candidate"),
    "hf_make_decision": ("get", "candidate"),
    "hf_withdraw": ("post", "candidate"),
    "hf_steering": ("get", None),
    "hf_steering_detail": ("get", "steering"),
}
FORBIDDEN = dict.fromkeys(URLS, 403)

EXPECTED = {
    "case_officer": dict.fromkeys(URLS, 200),
    # The reversed referral: a bolots proposes and sees their own outreach
    # candidates; the unit's candidate is not theirs (404).
    "pilot": {**FORBIDDEN, "hf_candidates": 200, "hf_candidate_create": 200, "hf_candidate": 404},
    "second_pilot": {**FORBIDDEN, "hf_candidates": 200, "hf_candidate_create": 200, "hf_candidate": 404},
    "housing_admin": FORBIDDEN,
    "system_admin": FORBIDDEN,
    # The steering group: reads the list and the candidates, decides the order.
    "manager": {**FORBIDDEN, "hf_candidates": 200, "hf_candidate": 200, "hf_steering": 200,
                "hf_steering_detail": 200},
    # Another unit's case officer: their own (empty) lists, none of ours.
    "outside_officer": {**dict.fromkeys(URLS, 404), "hf_candidates": 200, "hf_candidate_create": 200,
                        "hf_steering": 200},
}


@pytest.fixture
def records(unit, case_officer, manager, client_record):
    today = timezone.localdate()
    candidate = HousingFirstCandidate.objects.create(
        unit=unit, client=client_record, source=ProposalSource.UNIT, proposed_by=case_officer,
        proposed_on=today - timedelta(days=30), situation=HomelessSituation.ACUTE, needs="Akut hemlös.",
        stage=CandidateStage.PRIORITISED,
    )
    CandidateAssessment.objects.create(candidate=candidate, met_on=today - timedelta(days=20), notes="Akut.",
                                       recommendation="recommend", recorded_by=case_officer)
    steering = SteeringDecision.objects.create(unit=unit, decided_on=today - timedelta(days=10), decided_by=manager)
    SteeringPriority.objects.create(steering_decision=steering, candidate=candidate, position=1)
    return {"candidate": candidate, "steering": steering}


def request(client, name, records):
    method, about = URLS[name]
    args = [records[about].pk] if about else []
    return getattr(client, method)(reverse(f"referrals:{name}", args=args))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_login(client, records, name):
    response = request(client, name, records)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_status_per_role(client, users, records, who):
    client.force_login(users[who])
    statuses = {name: request(client, name, records).status_code for name in URLS}

    assert statuses == EXPECTED[who]


@pytest.mark.django_db
def test_right_role_sees_the_content(client, users, records, client_record):
    client.force_login(users["case_officer"])
    body = request(client, "hf_candidate", records).content.decode()
    assert client_record.full_name in body
    assert "Akut hemlös." in body
    # Never an address here, not even the client's own.
    assert client_record.street_address not in body
    body = request(client, "hf_candidates", records).content.decode()
    assert client_record.full_name in body and client_record.street_address not in body
    client.force_login(users["manager"])
    body = request(client, "hf_steering_detail", records).content.decode()
    assert client_record.full_name in body


@pytest.mark.django_db
def test_pilot_sees_own_outreach_candidate_without_address(client, unit, case_officer, pilot, second_pilot, records):
    order = outreach_order(unit, case_officer, state="accepted", active_pilot=pilot,
                           passive_pilot=make_pilot(unit, "bolots_passiv"), accepted_at=timezone.now())
    candidate = HousingFirstCandidate.objects.create(
        unit=unit, outreach_order=order, source=ProposalSource.OUTREACH, proposed_by=pilot,
        proposed_on=timezone.localdate(), situation=HomelessSituation.ACUTE, needs="Sover i trapphus.",
    )
    url = reverse("referrals:hf_candidate", args=[candidate.pk])
    client.force_login(pilot)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert order.subject_name in body and order.subject_address not in body
    listing = client.get(reverse("referrals:hf_candidates")).content.decode()
    assert order.subject_name in listing and records["candidate"].client.full_name not in listing
    client.force_login(second_pilot)
    assert client.get(url).status_code == 404
