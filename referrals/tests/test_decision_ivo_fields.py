"""What IVO's individual report asks on a decision (docs/ivo.md "Offers,
partial execution and the report's fields"): reason, consequences, interim
support, partial execution, and the offers log with editing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.models import Decision, DecisionOutcome, DecisionStatus, Offer, OfferAnswer
from referrals.services import decisions as services
from referrals.tests.factories_decisions import DecisionFactory, OfferFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.fixture
def decision(client_record, case_officer):
    return DecisionFactory(client=client_record, decided_by=case_officer)  # decided 2025-01-10


def ivo_data(decision, **overrides):
    data = {
        "version": decision.version, "delay_reason": "Brist på lägenheter",
        "consequences": "Bor kvar hos en vän, osäkert boende.", "interim_support": "Stödsamtal varje vecka.",
        "partly_executed_on": "", "unexecuted_part": "",
    }
    data.update(overrides)
    return data


def post_ivo(officer, decision, **overrides):
    return officer.post(reverse("referrals:decision_ivo_details", args=[decision.pk]), ivo_data(decision, **overrides))


# --- Reason, consequences, interim support ------------------------------------------


def test_saving_the_information_for_ivo_keeps_the_history_and_logs_one_update(officer, decision):
    response = post_ivo(officer, decision)

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.delay_reason, decision.consequences, decision.interim_support) == (
        "Brist på lägenheter", "Bor kvar hos en vän, osäkert boende.", "Stödsamtal varje vecka.",
    )
    assert set(FieldChange.objects.filter(object_id=str(decision.pk)).values_list("field", flat=True)) == {
        "delay_reason", "consequences", "interim_support",
    }
    entry = AccessLogEntry.objects.get(action=AccessAction.UPDATE)
    assert (entry.object_type, entry.client_id) == ("referrals.decision", decision.client_id)


def test_the_detail_page_shows_the_information_for_ivo(officer, decision):
    post_ivo(officer, decision, partly_executed_on="2025-02-01", unexecuted_part="Boendestödet")

    html = officer.get(reverse("referrals:decision_detail", args=[decision.pk])).content.decode()

    assert "Bor kvar hos en vän, osäkert boende." in html and "Stödsamtal varje vecka." in html
    assert "Delvis verkställt" in html and "2025-02-01" in html and "Boendestödet" in html


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(officer, decision, ctx):
    opened = decision.version
    decision.consequences = "Någon annans text"
    services.update_ivo_details(ctx, decision, expected_version=opened)

    response = officer.post(reverse("referrals:decision_ivo_details", args=[decision.pk]),
                            ivo_data(decision, version=opened, consequences="Min text"))

    assert response.status_code == 200
    assert "Någon annan sparade" in response.content.decode()
    decision.refresh_from_db()
    assert decision.consequences == "Någon annans text"


def test_the_service_refuses_a_stale_version(ctx, decision):
    decision.interim_support = "Något"
    with pytest.raises(ConcurrentEditError):
        services.update_ivo_details(ctx, decision, expected_version=decision.version - 1)
    assert not FieldChange.objects.exists()


# --- Partly executed -----------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"partly_executed_on": "2025-01-09", "unexecuted_part": "Boendestöd"}, "partly_executed_on",
     "Beslutet kan inte vara delvis verkställt före beslutsdatumet (2025-01-10)."),
    ({"partly_executed_on": "FUTURE", "unexecuted_part": "Boendestöd"}, "partly_executed_on",
     "Datumet kan inte ligga i framtiden."),
    ({"partly_executed_on": "2025-02-01", "unexecuted_part": ""}, "unexecuted_part",
     "Skriv vad i beslutet som inte har verkställts."),
    ({"partly_executed_on": "", "unexecuted_part": "Boendestöd"}, "partly_executed_on",
     "Ange datumet då en del av beslutet verkställdes."),
])
def test_each_rule_of_the_partial_execution_has_its_message_beside_the_field(
    officer, decision, overrides, field, message,
):
    if overrides["partly_executed_on"] == "FUTURE":
        overrides = {**overrides, "partly_executed_on": (timezone.localdate() + timedelta(days=1)).isoformat()}

    response = post_ivo(officer, decision, **overrides)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    decision.refresh_from_db()
    assert (decision.partly_executed_on, decision.consequences) == (None, ""), "nothing half-saved"


def test_partly_executed_cannot_be_after_the_execution_date(officer, client_record, case_officer):
    executed = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))

    response = post_ivo(officer, executed, partly_executed_on="2025-02-02", unexecuted_part="Boendestöd")

    assert response.context["form"].errors["partly_executed_on"] == [
        "Datumet för den delvisa verkställigheten kan inte ligga efter verkställighetsdatumet (2025-02-01)."
    ]


def test_the_service_checks_the_stored_decision_dates_too(ctx, decision):
    decision.partly_executed_on, decision.unexecuted_part = date(2025, 1, 1), "Boendestöd"

    with pytest.raises(services.DecisionError) as refusal:
        services.update_ivo_details(ctx, decision, expected_version=decision.version)

    assert refusal.value.field == "partly_executed_on"
    assert Decision.objects.get(pk=decision.pk).partly_executed_on is None


def test_execution_cannot_be_before_the_partial_execution(ctx, decision):
    decision.partly_executed_on, decision.unexecuted_part = date(2025, 3, 1), "Boendestöd"
    services.update_ivo_details(ctx, decision, expected_version=decision.version)

    with pytest.raises(services.DecisionError) as refusal:
        services.execute_decision(ctx, decision, date(2025, 2, 28))

    assert "delvis verkställdes (2025-03-01)" in refusal.value.messages[0]
    services.execute_decision(ctx, decision, date(2025, 3, 1))
    assert Decision.objects.get(pk=decision.pk).executed_on == date(2025, 3, 1)


def test_a_partly_executed_decision_stays_non_executed_everywhere(ctx, officer, decision):
    decision.partly_executed_on, decision.unexecuted_part = date(2025, 2, 1), "Boendestöd"
    services.update_ivo_details(ctx, decision, expected_version=decision.version)
    today = timezone.localdate()

    assert Decision.objects.not_executed().filter(pk=decision.pk).exists()
    assert Decision.objects.with_status(today).get(pk=decision.pk).status == DecisionStatus.WAITING
    assert list(services.waiting_for_execution(decision.client.responsible_officer, today)) == [decision]
    html = officer.get(reverse("referrals:decision_waiting_list")).content.decode()
    assert "Delvis verkställt" in html


def test_a_rejected_decision_has_no_information_for_ivo(officer, client_record, case_officer):
    rejected = DecisionFactory(client=client_record, decided_by=case_officer, outcome=DecisionOutcome.REJECTED)

    response = officer.get(reverse("referrals:decision_ivo_details", args=[rejected.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:decision_detail", args=[rejected.pk])


# --- Offers -----------------------------------------------------------------------


def offer_data(offer, **overrides):
    data = {"version": offer.version, "offered_on": offer.offered_on.isoformat(), "description": offer.description,
            "answer": offer.answer, "note": offer.note}
    data.update(overrides)
    return data


def offer_url(offer):
    return reverse("referrals:decision_offer_edit", args=[offer.decision_id, offer.pk])


def test_editing_an_offer_records_the_answer_with_history(officer, decision):
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1), answer=OfferAnswer.NO_ANSWER)

    response = officer.post(offer_url(offer), offer_data(offer, answer=OfferAnswer.ACCEPTED, note="Svar per telefon"))

    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.answer, offer.note, offer.version) == (OfferAnswer.ACCEPTED, "Svar per telefon", 2)
    assert set(FieldChange.objects.filter(object_type="referrals.offer").values_list("field", flat=True)) == {
        "answer", "note",
    }
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, client_id=decision.client_id).count() == 1


@pytest.mark.parametrize(("day", "message"), [
    ("2025-01-09", "Datum för erbjudandet kan inte vara före beslutsdatum (2025-01-10)."),
    ("FUTURE", "Datumet kan inte ligga i framtiden."),
])
def test_an_offer_date_before_the_decision_or_in_the_future_is_refused(officer, decision, day, message):
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
    if day == "FUTURE":
        day = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = officer.post(offer_url(offer), offer_data(offer, offered_on=day))

    assert response.status_code == 200
    assert message in response.context["form"].errors["offered_on"]
    offer.refresh_from_db()
    assert offer.offered_on == date(2025, 2, 1)


def test_a_stale_offer_version_is_a_conflict(officer, decision, ctx):
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
    opened = offer.version
    offer.note = "Någon annans anteckning"
    services.update_offer(ctx, offer, expected_version=opened)

    response = officer.post(offer_url(offer), offer_data(offer, version=opened, note="Min anteckning"))

    assert response.status_code == 200
    assert "Någon annan sparade erbjudandet" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).note == "Någon annans anteckning"


def test_an_offer_of_another_decision_is_not_found(officer, decision, client_record, case_officer):
    other = OfferFactory(decision=DecisionFactory(client=client_record, decided_by=case_officer))

    assert officer.get(reverse("referrals:decision_offer_edit", args=[decision.pk, other.pk])).status_code == 404


def test_a_declined_offer_never_executes_or_closes_the_decision(ctx, decision):
    offer = services.record_offer(ctx, decision, date(2025, 2, 1), "Träningslägenhet", OfferAnswer.DECLINED)
    offer.note = "Vill bo närmare arbetet"
    services.update_offer(ctx, offer, expected_version=offer.version)

    stored = Decision.objects.get(pk=decision.pk)
    assert (stored.executed_on, stored.closed_on) == (None, None)
    assert stored.status_on(date(2025, 6, 1)) == DecisionStatus.WAITING
    assert Decision.objects.not_executed().filter(pk=decision.pk).exists()


def test_the_offers_table_links_each_offer_to_its_edit_page(officer, decision):
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1), description="Lägenhet Fiktiva gatan 3")

    html = officer.get(reverse("referrals:decision_detail", args=[decision.pk])).content.decode()

    assert "Lägenhet Fiktiva gatan 3" in html and offer_url(offer) in html


# --- Who may --------------------------------------------------------------------------


def urls(decision):
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1))
    return [reverse("referrals:decision_ivo_details", args=[decision.pk]), offer_url(offer)]


def test_anonymous_is_sent_to_login(client, decision):
    for url in urls(decision):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(("who", "status"), [
    ("manager", 403), ("pilot", 403), ("housing_admin", 403), ("system_admin", 403),
    ("outside_officer", 404), ("case_officer", 200),
])
def test_status_per_role(client, users, decision, who, status):
    client.force_login(users[who])

    for url in urls(decision):
        assert client.get(url).status_code == status, url
        assert client.post(url, {}).status_code == status, url
