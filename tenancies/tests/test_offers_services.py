"""Offers of a vacant apartment (tenancies.services.offers): the offer and
its row in the IVO offers log, the refusals, the answer, the withdrawal and
the move-in that completes it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.versioning import ConcurrentEditError
from referrals.models import Decision, DecisionKind, Offer, OfferAnswer
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentOffer, ApartmentStatus, OfferState, Vacancy, VacancyReason
from tenancies.services import offers as services

from .factories import ApartmentFactory, TenancyFactory, granted_decision

pytestmark = pytest.mark.django_db

OPEN_OFFER = (
    "Lägenheten har redan ett öppet erbjudande. Vänta på svaret, eller återkalla erbjudandet, innan lägenheten "
    "erbjuds igen."
)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, rooms=2, kind=ApartmentKind.TRAINING)


@pytest.fixture
def decision(unit):
    return granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10))


def _offer(ctx, apartment, decision, today, **kwargs):
    return services.make_offer(
        ctx, apartment, decision, kwargs.get("offered_on", today), kwargs.get("move_in_on", today + timedelta(days=14)),
        kwargs.get("answer_by", today + timedelta(days=7)), kwargs.get("note", ""),
    )


def _counts():
    return ApartmentOffer.objects.count(), Offer.objects.count()


def test_an_offer_writes_the_ivo_offers_log_without_the_address(ctx, apartment, decision, today):
    vacancy = Vacancy.objects.create(apartment=apartment, reason=VacancyReason.MOVE_OUT, vacant_from=date(2026, 1, 1))

    offer = _offer(ctx, apartment, decision, today, note="Visning på fredag")

    offer.refresh_from_db()
    assert offer.state == OfferState.PENDING
    assert offer.vacancy == vacancy
    assert offer.made_by == ctx.user
    ivo = offer.ivo_offer
    assert (ivo.decision_id, ivo.offered_on, ivo.answer) == (decision.pk, today, OfferAnswer.NO_ANSWER)
    assert ivo.description == "Träningslägenhet, 2 rum"
    assert apartment.street_address not in ivo.description and apartment.object_number not in ivo.description
    assert AccessLogEntry.objects.filter(object_type="tenancies.apartmentoffer", object_id=str(offer.pk),
                                         client_id=decision.client_id).exists()


def test_a_half_room_is_written_with_a_comma(ctx, unit, decision, today):
    offer = _offer(ctx, ApartmentFactory(unit=unit, rooms="2.5"), decision, today)
    assert offer.ivo_offer.description == "Träningslägenhet, 2,5 rum"


def test_one_open_offer_per_apartment(ctx, unit, apartment, decision, today):
    _offer(ctx, apartment, decision, today)
    other = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 2, 1))

    with pytest.raises(services.OfferError) as error:
        _offer(ctx, apartment, other, today)

    assert error.value.messages[0] == OPEN_OFFER
    assert _counts() == (1, 1)


def test_the_constraint_refuses_a_second_offer_the_check_missed(ctx, unit, apartment, decision, today, monkeypatch):
    # As if two offers had passed the check at once: the partial unique
    # constraint keeps one, and the user gets the check's message; the IVO
    # row of the refused offer is rolled back with it.
    _offer(ctx, apartment, decision, today)
    monkeypatch.setattr(services, "check_no_open_offer", lambda apartment: None)
    other = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 2, 1))

    with pytest.raises(services.OfferError) as error:
        _offer(ctx, apartment, other, today)

    assert error.value.code == "open_offer"
    assert error.value.messages[0] == OPEN_OFFER
    assert _counts() == (1, 1)


def test_refusals_write_nothing(ctx, unit, apartment, decision, today):
    executed = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10), executed_on=date(2025, 3, 1))
    trial = granted_decision(ClientFactory(unit=unit), kind=DecisionKind.TRIAL_APARTMENT, decided_on=date(2025, 1, 10))
    left = ApartmentFactory(unit=unit, status=ApartmentStatus.LEFT_PROGRAMME)
    cases = [
        (executed, apartment, {}, "not_waiting",
         "Bara ett beviljat beslut som väntar på verkställighet kan få ett erbjudande om lägenhet."),
        (trial, apartment, {}, "wrong_kind",
         "En träningslägenhet erbjuds till ett beslut om träningslägenhet; det här beslutet gäller försökslägenhet."),
        (decision, apartment, {"answer_by": today - timedelta(days=1)}, "answer_before_offer",
         "Svarsdagen kan inte vara före erbjudandets datum."),
        (decision, apartment, {"offered_on": today + timedelta(days=1), "answer_by": today + timedelta(days=8)},
         "future", "Erbjudandets datum kan inte vara i framtiden."),
        (decision, left, {}, "left_programme", "Lägenheten har lämnat verksamheten och kan inte erbjudas."),
    ]
    for chosen, where, dates, code, message in cases:
        with pytest.raises(services.OfferError) as error:
            _offer(ctx, where, chosen, today, **dates)
        assert (error.value.code, error.value.messages[0]) == (code, message)
    assert _counts() == (0, 0)


def test_a_decision_with_an_open_offer_gets_no_second_one(ctx, unit, apartment, decision, today):
    _offer(ctx, apartment, decision, today)
    with pytest.raises(services.OfferError) as error:
        _offer(ctx, ApartmentFactory(unit=unit), decision, today)
    assert error.value.code == "decision_has_offer"


def test_an_apartment_let_on_the_move_in_day_is_refused(ctx, apartment, decision, today):
    TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1))
    with pytest.raises(services.OfferError) as error:
        _offer(ctx, apartment, decision, today)
    assert (error.value.code, error.value.field) == ("let", "move_in_on")


def test_accepted_plans_the_move_in(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)

    saved = services.answer_offer(ctx, offer, True, today, version=offer.version)

    assert (saved.state, saved.answered_on, saved.decline_reason) == (OfferState.ACCEPTED, today, "")
    assert Offer.objects.get(pk=offer.ivo_offer_id).answer == OfferAnswer.ACCEPTED
    # Accepted is still open: the apartment is held for the move-in.
    with pytest.raises(services.OfferError):
        services.check_no_open_offer(apartment)


def test_declined_needs_a_reason_and_reaches_the_ivo_log(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)

    with pytest.raises(services.OfferError) as error:
        services.answer_offer(ctx, offer, False, today, "", version=offer.version)
    assert (error.value.field, error.value.messages[0]) == ("decline_reason", "Välj varför erbjudandet avböjdes.")
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.PENDING

    saved = services.answer_offer(ctx, offer, False, today, "area", "Vill bo närmare skolan", version=offer.version)

    assert (saved.state, saved.decline_reason) == (OfferState.DECLINED, "area")
    ivo = Offer.objects.get(pk=offer.ivo_offer_id)
    assert (ivo.answer, ivo.decline_reason, ivo.note) == (OfferAnswer.DECLINED, "area", "Vill bo närmare skolan")
    # A declined offer executes nothing.
    decision.refresh_from_db()
    assert decision.executed_on is None and decision.closed_on is None
    # The apartment may be offered again.
    services.check_no_open_offer(apartment)


def test_an_answer_on_a_stale_version_is_a_conflict(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)
    services.answer_offer(ctx, offer, True, today, version=offer.version)

    with pytest.raises(ConcurrentEditError):
        services.answer_offer(ctx, offer, False, today, "rent", version=offer.version)
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED


def test_answered_offer_cannot_be_answered_again(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)
    saved = services.answer_offer(ctx, offer, True, today, version=offer.version)
    with pytest.raises(services.OfferError) as error:
        services.answer_offer(ctx, saved, False, today, "rent", version=saved.version)
    assert error.value.code == "answered"


def test_the_answer_date_is_checked(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)
    for day, code in ((today - timedelta(days=1), "before_offer"), (today + timedelta(days=1), "future")):
        with pytest.raises(services.OfferError) as error:
            services.answer_offer(ctx, offer, True, day, version=offer.version)
        assert (error.value.code, error.value.field) == (code, "answered_on")


def test_withdraw_frees_the_apartment_and_keeps_the_ivo_row(ctx, unit, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)

    with pytest.raises(services.OfferError):
        services.withdraw_offer(ctx, offer, "  ", version=offer.version)
    saved = services.withdraw_offer(ctx, offer, "Lägenheten behövs för en akut placering", version=offer.version)

    assert saved.state == OfferState.WITHDRAWN
    ivo = Offer.objects.get(pk=offer.ivo_offer_id)
    assert (ivo.answer, ivo.note) == (OfferAnswer.NO_ANSWER, "Återkallat: Lägenheten behövs för en akut placering")
    _offer(ctx, apartment, granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 5, 1)), today)


def test_the_move_in_completes_the_accepted_offer(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)
    offer = services.answer_offer(ctx, offer, True, today, version=offer.version)
    tenancy = TenancyFactory(apartment=apartment, client=decision.client, decision=decision, start_date=today)

    completed = services.complete_for_tenancy(ctx, tenancy)

    assert completed.pk == offer.pk and completed.state == OfferState.MOVED_IN
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.MOVED_IN
    services.check_no_open_offer(apartment)


def test_a_move_in_on_a_pending_offer_counts_as_accepted(ctx, apartment, decision, today):
    offer = _offer(ctx, apartment, decision, today)
    tenancy = TenancyFactory(apartment=apartment, client=decision.client, decision=decision,
                             start_date=today + timedelta(days=3))

    completed = services.complete_for_tenancy(ctx, tenancy)

    assert (completed.state, completed.answered_on) == (OfferState.MOVED_IN, today)
    assert Offer.objects.get(pk=offer.ivo_offer_id).answer == OfferAnswer.ACCEPTED


def test_a_move_in_without_an_offer_changes_nothing(ctx, unit, apartment, decision, today):
    _offer(ctx, apartment, decision, today)
    stranger = ClientFactory(unit=unit)
    other_apartment = ApartmentFactory(unit=unit)
    tenancy = TenancyFactory(apartment=other_apartment, client=stranger, start_date=today)

    assert services.complete_for_tenancy(ctx, tenancy) is None
    assert ApartmentOffer.objects.get().state == OfferState.PENDING
    assert Decision.objects.get(pk=decision.pk).executed_on is None


def test_the_move_in_service_completes_the_offer_and_withdraws_the_others(ctx, unit, apartment, decision, today):
    # The move-in (services.moves.move_in) calls complete_for_tenancy: the
    # tenant's accepted offer becomes "moved in"; an offer of the same
    # apartment to someone else would hold it once it is empty again, so it
    # is withdrawn with the reason, which the IVO offers log keeps.
    from tenancies.models import Tenancy
    from tenancies.services.moves import move_in

    offer = _offer(ctx, apartment, decision, today)
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    move_in(ctx, Tenancy(apartment=apartment, client=decision.client, decision=decision, start_date=today))

    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.MOVED_IN
    assert Decision.objects.get(pk=decision.pk).executed_on == today


def test_someone_else_moving_in_withdraws_the_open_offer(ctx, unit, apartment, decision, today):
    from tenancies.models import Tenancy
    from tenancies.services.moves import move_in

    offer = _offer(ctx, apartment, decision, today)
    other = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 2, 1))
    move_in(ctx, Tenancy(apartment=apartment, client=other.client, decision=other, start_date=today))

    stored = ApartmentOffer.objects.get(pk=offer.pk)
    assert stored.state == OfferState.WITHDRAWN
    assert stored.note == "Lägenheten hyrdes ut till någon annan."
    assert Offer.objects.get(pk=offer.ivo_offer_id).answer == OfferAnswer.NO_ANSWER
    assert Decision.objects.get(pk=decision.pk).executed_on is None
