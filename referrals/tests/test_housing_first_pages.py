"""The Housing First pages at work: the steps posted through the pages, the
list's filters and priority order, and the query budget (≤ 12, the same for
1 candidate as for 30)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Decision, DecisionKind
from referrals.models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
    SteeringPriority,
)
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import make_pilot, outreach_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def candidates(unit, officer, n, stage=CandidateStage.ASSESSED, assessments=1):
    made = []
    for i in range(n):
        candidate = HousingFirstCandidate.objects.create(
            unit=unit, client=ClientFactory(unit=unit), source=ProposalSource.UNIT, proposed_by=officer,
            proposed_on=TODAY - timedelta(days=60 - i), situation=HomelessSituation.ACUTE, needs=f"Behov {i}",
            stage=stage,
        )
        CandidateAssessment.objects.bulk_create(
            CandidateAssessment(candidate=candidate, met_on=TODAY - timedelta(days=30 - j), notes=f"Anteckning {j}",
                                recommendation="recommend", recorded_by=officer)
            for j in range(assessments)
        )
        made.append(candidate)
    return made


def steering(unit, manager, ordered, day=TODAY):
    decision = SteeringDecision.objects.create(unit=unit, decided_on=day, decided_by=manager)
    SteeringPriority.objects.bulk_create(
        SteeringPriority(steering_decision=decision, candidate=c, position=i) for i, c in enumerate(ordered, 1)
    )
    return decision


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


# --- Query budget -------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 30])
def test_list_within_budget(client, unit, case_officer, manager, n, django_assert_num_queries):
    made = candidates(unit, case_officer, n)
    steering(unit, manager, made, TODAY - timedelta(days=5))
    for user in (case_officer, manager):
        client.force_login(user)
        # session, user, two of permissions, count and page of candidates
        # (with their clients, whether visible_to, the order in force), the
        # unread notifications, the read log's chain lock and insert, the
        # session's save (savepoint, update, release) = 12.
        with django_assert_num_queries(11):
            response = get_ok(client, reverse("referrals:hf_candidates"))
        rows = response.context["page_obj"].object_list
        assert [row.place for row in rows] == list(range(1, min(n, 25) + 1))
        assert response.context["newest"]["decided_on"] == TODAY - timedelta(days=5)


@pytest.mark.parametrize("n", [1, 30])
def test_detail_within_budget(client, unit, case_officer, manager, n, django_assert_num_queries):
    candidate = candidates(unit, case_officer, 1, assessments=n)[0]
    for i in range(n):
        steering(unit, manager, [candidate], TODAY - timedelta(days=40 - i))
    for user in (case_officer, manager):
        client.force_login(user)
        with django_assert_num_queries(11):
            response = get_ok(client, reverse("referrals:hf_candidate", args=[candidate.pk]))
        assert len(response.context["history"]) == 2 * n


@pytest.mark.parametrize("n", [1, 30])
def test_steering_pages_within_budget(client, unit, case_officer, manager, n, django_assert_num_queries):
    made = candidates(unit, case_officer, n)
    decision = steering(unit, manager, made)
    client.force_login(manager)
    with django_assert_num_queries(11):
        response = get_ok(client, reverse("referrals:hf_steering"))
    assert len(response.context["form"].candidates) == n
    with django_assert_num_queries(6):
        response = get_ok(client, reverse("referrals:hf_steering_detail", args=[decision.pk]))
    assert len(response.context["priorities"]) == n


# --- The steps through the pages -----------------------------------------------------


def test_the_whole_way_through_the_pages(client, unit, case_officer, manager, client_record):
    client.force_login(case_officer)
    response = client.post(reverse("referrals:hf_candidate_create"), {
        "source": ProposalSource.UNIT, "client": client_record.pk, "proposed_on": f"{TODAY:%Y-%m-%d}",
        "situation": HomelessSituation.ACUTE, "needs": "Sover ute.", "assessment": "Aktuell.",
    })
    candidate = HousingFirstCandidate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:hf_candidate",
                                                                            args=[candidate.pk])
    response = client.post(reverse("referrals:hf_assessment_create", args=[candidate.pk]), {
        "assessment-met_on": f"{TODAY:%Y-%m-%d}", "assessment-notes": "Störst behov nu.",
        "assessment-recommendation": "recommend",
    })
    assert response.status_code == 302
    response = client.post(reverse("referrals:hf_candidate_edit", args=[candidate.pk]), {
        "edit-version": candidate.version, "edit-situation": HomelessSituation.INSTITUTION,
        "edit-needs": "Skrivs ut från behandlingshem utan bostad.", "edit-assessment": "Fortfarande aktuell.",
    })
    assert response.status_code == 302
    client.force_login(manager)
    response = client.post(reverse("referrals:hf_steering"), {
        "decided_on": f"{TODAY:%Y-%m-%d}", f"place_{candidate.pk}": "1", "notes": "Protokoll",
    })
    assert response.status_code == 302
    client.force_login(case_officer)
    response = client.post(reverse("referrals:hf_make_decision", args=[candidate.pk]),
                           {"decision-decided_on": f"{TODAY:%Y-%m-%d}"})
    decision = Decision.objects.get(kind=DecisionKind.HOUSING_FIRST)
    assert response["Location"] == reverse("referrals:decision_detail", args=[decision.pk])
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.situation) == (CandidateStage.DECIDED, HomelessSituation.INSTITUTION)
    body = get_ok(client, reverse("referrals:hf_candidate", args=[candidate.pk])).content.decode()
    assert "Störst behov nu." in body and "Housing First-beslut fattat" in body or candidate.decision_id


def test_refusals_show_swedish_messages_beside_the_fields(client, unit, case_officer, manager, pilot, client_record):
    order = outreach_order(unit, case_officer, state="accepted", active_pilot=pilot,
                           passive_pilot=make_pilot(unit, "bolots_passiv"), accepted_at=timezone.now())
    client.force_login(case_officer)
    # Both persons at once: a message beside the order, nothing saved.
    response = client.post(reverse("referrals:hf_candidate_create"), {
        "source": ProposalSource.UNIT, "client": client_record.pk, "outreach_order": order.pk,
        "proposed_on": f"{TODAY:%Y-%m-%d}", "situation": "1", "needs": "x",
    })
    assert response.status_code == 200 and response.context["form"].errors["outreach_order"]
    # A candidate not yet assessed cannot be prioritised; the steering form
    # offers only assessed ones, and a posted place for another is ignored.
    made = candidates(unit, case_officer, 1, stage=CandidateStage.PROPOSED)[0]
    client.force_login(manager)
    response = client.post(reverse("referrals:hf_steering"), {"decided_on": f"{TODAY:%Y-%m-%d}",
                                                              f"place_{made.pk}": "1"})
    assert response.status_code == 200
    assert not SteeringDecision.objects.exists()
    # The decision before the steering group: the message on top.
    client.force_login(case_officer)
    made.stage = CandidateStage.ASSESSED
    made.save()
    response = client.post(reverse("referrals:hf_make_decision", args=[made.pk]),
                           {"decision-decided_on": f"{TODAY:%Y-%m-%d}"})
    assert response.status_code == 200
    assert "styrgruppen" in str(response.context["form"].non_field_errors()).lower()
    assert not Decision.objects.filter(kind=DecisionKind.HOUSING_FIRST).exists()


def test_list_filters_and_priority_order(client, unit, case_officer, manager):
    first, second, third = candidates(unit, case_officer, 3)
    steering(unit, manager, [third, first])
    HousingFirstCandidate.objects.filter(pk__in=[first.pk, third.pk]).update(stage=CandidateStage.PRIORITISED)
    HousingFirstCandidate.objects.filter(pk=second.pk).update(stage=CandidateStage.WITHDRAWN)
    client.force_login(case_officer)
    listed = get_ok(client, reverse("referrals:hf_candidates")).context["page_obj"].object_list
    assert [c.pk for c in listed] == [third.pk, first.pk], "active only, in the order in force"
    listed = get_ok(client, reverse("referrals:hf_candidates") + "?steg=withdrawn").context["page_obj"].object_list
    assert [c.pk for c in listed] == [second.pk]
    listed = get_ok(client, reverse("referrals:hf_candidates") + "?steg=alla&kalla=outreach").context["page_obj"]
    assert list(listed.object_list) == []
