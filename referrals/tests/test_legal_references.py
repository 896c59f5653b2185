"""Legal references as data (docs/ivo.md "Legal references"): both acts
present with their validity, the reference on a topic for a day, and the
decision forms accepting only a reference in force on the decision date."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Decision, DecisionKind, DecisionOutcome, LegalReference, LegalTopic
from referrals.services.legal import reference_for
from referrals.tests.factories_decisions import DecisionFactory

pytestmark = pytest.mark.django_db

OLD_ACT, NEW_ACT = "Socialtjänstlagen (2001:453)", "Socialtjänstlagen (2025:400)"
TOPICS = [LegalTopic.ASSISTANCE, LegalTopic.IVO_REPORT_DUTY, LegalTopic.SPECIAL_FEE]


# --- The migration's data ---------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_the_old_act_until_june_2025_and_the_new_act_from_july(topic):
    references = LegalReference.objects.filter(topic=topic)

    assert {(ref.law, ref.valid_from, ref.valid_to) for ref in references} == {
        (OLD_ACT, None, date(2025, 6, 30)),
        (NEW_ACT, date(2025, 7, 1), None),
    }


def test_paragraph_numbers_are_printed_only_where_a_source_confirmed_them():
    numbered = set(LegalReference.objects.filter(code__contains="kap.").values_list("code", flat=True))

    # 4 kap. 1 § (IVO's page on "ej verkställda beslut"), 16 kap. 6 f §
    # (JO dnr 2299-2017) and 16 kap. 6 a § (inserted by SFS 2002:437).
    assert numbered == {"4 kap. 1 § SoL (2001:453)", "16 kap. 6 f § SoL (2001:453)", "16 kap. 6 a § SoL (2001:453)"}
    assert not LegalReference.objects.filter(law=NEW_ACT, code__contains="§").exists(), (
        "no paragraph of SFS 2025:400 was confirmed: its references name the act only"
    )


def test_the_reporting_duty_and_the_special_fee_are_not_a_decision_basis():
    duties = LegalReference.objects.filter(topic__in=[LegalTopic.IVO_REPORT_DUTY, LegalTopic.SPECIAL_FEE])

    assert duties.count() == 4
    assert not duties.filter(is_active=True).exists()


# --- reference_for -----------------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS)
def test_reference_for_gives_the_old_act_on_30_june_and_the_new_act_on_1_july(topic):
    assert reference_for(topic, date(2025, 6, 30)).law == OLD_ACT
    assert reference_for(topic, date(2025, 7, 1)).law == NEW_ACT
    assert reference_for(topic, date(2019, 3, 1)).law == OLD_ACT
    assert reference_for(topic, date(2031, 3, 1)).law == NEW_ACT


def test_reference_for_the_special_fee_before_the_change_names_the_paragraph():
    assert reference_for(LegalTopic.SPECIAL_FEE, date(2025, 6, 30)).code == "16 kap. 6 a § SoL (2001:453)"
    assert reference_for(LegalTopic.SPECIAL_FEE, date(2025, 7, 1)).code == "SoL (2025:400) – särskild avgift"


def test_reference_for_the_ivo_reporting_duty_before_the_change_names_the_paragraph():
    assert reference_for(LegalTopic.IVO_REPORT_DUTY, date(2025, 3, 31)).code == "16 kap. 6 f § SoL (2001:453)"


def test_reference_for_a_day_no_reference_covers_is_none():
    LegalReference.objects.filter(topic=LegalTopic.SPECIAL_FEE, law=NEW_ACT).update(valid_from=date(2025, 8, 1))

    assert reference_for(LegalTopic.SPECIAL_FEE, date(2025, 7, 15)) is None
    assert reference_for("no_such_topic", date(2025, 7, 15)) is None


# --- The decision form -------------------------------------------------------------


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


def form_data(case_officer, reference, day, **overrides):
    data = {
        "kind": DecisionKind.HOME_SUPPORT, "legal_basis": reference.pk, "applied_on": day.isoformat(),
        "decided_on": day.isoformat(), "outcome": DecisionOutcome.GRANTED, "valid_from": day.isoformat(),
        "valid_to": "", "decided_by": case_officer.pk, "reasoning": "Behov av stöd.", "save_anyway": "False",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("topic_day", "decided_on", "message"), [
    (date(2025, 6, 30), date(2025, 7, 1),
     "4 kap. 1 § SoL (2001:453) gällde inte på beslutsdagen 2025-07-01. Välj ett lagrum som gällde då."),
    (date(2025, 7, 1), date(2025, 6, 30),
     "SoL (2025:400) – rätten till bistånd gällde inte på beslutsdagen 2025-06-30. Välj ett lagrum som gällde då."),
])
def test_a_reference_not_in_force_on_the_decision_date_is_refused_beside_the_field(
    officer, case_officer, client_record, topic_day, decided_on, message,
):
    reference = reference_for(LegalTopic.ASSISTANCE, topic_day)
    url = reverse("referrals:decision_create", args=[client_record.pk])

    response = officer.post(url, form_data(case_officer, reference, decided_on))

    assert response.status_code == 200
    assert response.context["form"].errors["legal_basis"] == [message]
    assert not Decision.objects.exists()


@pytest.mark.parametrize("day", [date(2025, 6, 30), date(2025, 7, 1)])
def test_the_reference_in_force_on_the_decision_date_is_accepted(officer, case_officer, client_record, day):
    reference = reference_for(LegalTopic.ASSISTANCE, day)

    response = officer.post(
        reverse("referrals:decision_create", args=[client_record.pk]), form_data(case_officer, reference, day)
    )

    assert response.status_code == 302
    assert Decision.objects.get().legal_basis == reference


def test_the_form_offers_decision_bases_only_and_starts_from_the_act_in_force(officer, client_record):
    form = officer.get(reverse("referrals:decision_create", args=[client_record.pk])).context["form"]

    offered = set(form.fields["legal_basis"].queryset)
    assert not any(ref.topic in (LegalTopic.IVO_REPORT_DUTY, LegalTopic.SPECIAL_FEE) for ref in offered)
    assert reference_for(LegalTopic.ASSISTANCE, date(2025, 6, 30)) in offered, "old decisions are still registered"
    assert form.fields["legal_basis"].initial == reference_for(LegalTopic.ASSISTANCE, timezone.localdate()).pk


def test_an_old_decision_keeps_and_shows_its_reference_with_its_act(officer, case_officer, client_record):
    old = reference_for(LegalTopic.ASSISTANCE, date(2025, 1, 10))
    decision = DecisionFactory(client=client_record, decided_by=case_officer, legal_basis=old)
    LegalReference.objects.filter(pk=old.pk).update(is_active=False)

    html = officer.get(reverse("referrals:decision_detail", args=[decision.pk])).content.decode()
    form = officer.get(reverse("referrals:decision_edit", args=[decision.pk])).context["form"]

    assert "4 kap. 1 § SoL (2001:453)" in html and "Socialtjänstlagen (2001:453)" in html
    assert "i kraft till och med 2025-06-30" in html
    assert old in form.fields["legal_basis"].queryset, "a retired reference stays on its own decision"


def test_the_package_form_refuses_a_reference_not_in_force_on_the_decision_date(officer, case_officer, client_record):
    today = timezone.localdate()
    old = reference_for(LegalTopic.ASSISTANCE, date(2025, 6, 30))

    response = officer.post(reverse("referrals:decision_package_create", args=[client_record.pk]), {
        "legal_basis": old.pk, "decided_by": case_officer.pk, "applied_on": (today - timedelta(days=3)).isoformat(),
        "decided_on": today.isoformat(), "valid_from": today.isoformat(), "valid_to": "", "reasoning": "",
    })

    assert response.status_code == 200
    assert "gällde inte på beslutsdagen" in response.context["form"].errors["legal_basis"][0]
    assert not Decision.objects.exists()
