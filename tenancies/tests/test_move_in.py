"""The move-in service: every rule, and that a refused move-in writes nothing."""

from datetime import date

import pytest

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Decision, DecisionKind, DecisionOutcome
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy
from tenancies.services import tenancies as services
from tenancies.services.moves import move_in, move_out
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, TenancyFactory, granted_decision, moved_in

pytestmark = pytest.mark.django_db

START = date(2024, 3, 1)



@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, rent=612_300)


@pytest.fixture
def decision(client_record, case_officer):
    return granted_decision(client_record, decided_on=date(2024, 1, 15), decided_by=case_officer)


def new_tenancy(apartment, client, decision, start=START, **fields):
    return Tenancy(apartment=apartment, client=client, decision=decision, start_date=start, **fields)


def state(apartment, decision=None):
    """Everything a move-in writes, to compare before and after a refusal."""
    apartment.refresh_from_db()
    executed = Decision.objects.get(pk=decision.pk).executed_on if decision is not None else None
    return (
        Tenancy.objects.count(),
        AccessLogEntry.objects.count(),
        FieldChange.objects.count(),
        apartment.status,
        apartment.version,
        executed,
    )


def refused(ctx, tenancy, code, field=None):
    """Run move_in, expecting refusal with `code` beside `field`; nothing may be written."""
    before = state(tenancy.apartment, tenancy.decision)
    with pytest.raises(TenancyError) as error:
        move_in(ctx, tenancy)
    assert error.value.code == code
    assert error.value.field == field
    assert state(tenancy.apartment, tenancy.decision) == before, "a refused move-in wrote something"
    return error.value.messages[0]


# --- What a move-in does -----------------------------------------------------------


def test_move_in_creates_the_tenancy_with_default_terms_and_the_apartments_rent(ctx, apartment, client_record, decision):
    tenancy = move_in(ctx, new_tenancy(apartment, client_record, decision))

    tenancy.refresh_from_db()
    assert tenancy.start_date == START
    assert tenancy.end_date is None
    assert tenancy.rent == 612_300, "the rent defaults to the apartment's"
    assert (tenancy.contract_months, tenancy.notice_weeks, tenancy.renews_automatically) == (1, 2, True)
    assert tenancy.created_by == ctx.user
    assert tenancy.decision == decision
    assert tenancy.is_internal_move is False
    assert tenancy.continuous_since == START


def test_rent_and_terms_can_be_set_at_move_in(ctx, apartment, client_record, decision):
    tenancy = move_in(
        ctx,
        new_tenancy(apartment, client_record, decision, rent=550_000, contract_months=3, notice_weeks=4,
                    renews_automatically=False),
    )

    tenancy.refresh_from_db()
    assert (tenancy.rent, tenancy.contract_months, tenancy.notice_weeks, tenancy.renews_automatically) == (
        550_000, 3, 4, False,
    )


def test_move_in_marks_the_apartment_occupied_and_executes_the_decision(ctx, apartment, client_record, decision):
    move_in(ctx, new_tenancy(apartment, client_record, decision))

    apartment.refresh_from_db()
    decision.refresh_from_db()
    assert apartment.status == ApartmentStatus.OCCUPIED
    assert apartment.version == 2, "the status change claims the apartment's version"
    assert decision.executed_on == START
    # The note names no apartment: it is read beside the client's name, and
    # for a protected client "which apartment" is their address.
    assert decision.execution_note == "Inflyttning registrerad"
    assert apartment.object_number not in decision.execution_note
    assert apartment.street_address not in decision.execution_note, "the address may be a protected client's"


def test_move_in_writes_the_access_log_and_the_field_history(ctx, apartment, client_record, decision):
    tenancy = move_in(ctx, new_tenancy(apartment, client_record, decision))

    log = {(row.object_type, row.action) for row in AccessLogEntry.objects.filter(client_id=client_record.pk)}
    assert ("tenancies.tenancy", AccessAction.CREATE) in log
    assert ("referrals.decision", AccessAction.UPDATE) in log
    created = AccessLogEntry.objects.get(object_type="tenancies.tenancy")
    assert created.object_id == str(tenancy.pk)
    assert created.user == ctx.user
    assert created.client_number == client_record.personal_number
    status = FieldChange.objects.get(object_type="tenancies.apartment", object_id=str(apartment.pk))
    assert (status.field, status.old_value, status.new_value) == ("status", "Ledig", "Uthyrd")
    assert FieldChange.objects.filter(object_type="referrals.decision", field="executed_on", new_value="2024-03-01").exists()


@pytest.mark.parametrize("kind", list(ApartmentKind))
def test_every_kind_of_apartment_takes_the_decision_of_its_kind(ctx, unit, client_record, case_officer, kind):
    apartment = ApartmentFactory(unit=unit, kind=kind)
    decision = granted_decision(client_record, kind=kind.decision_kind, decided_on=date(2024, 1, 15), decided_by=case_officer)

    move_in(ctx, new_tenancy(apartment, client_record, decision))

    assert Tenancy.objects.filter(apartment=apartment, client=client_record).exists()


def test_a_partly_granted_decision_can_be_executed(ctx, apartment, client_record, decision):
    Decision.objects.filter(pk=decision.pk).update(outcome=DecisionOutcome.PARTLY_GRANTED)
    decision.refresh_from_db()

    move_in(ctx, new_tenancy(apartment, client_record, decision))

    assert Tenancy.objects.count() == 1


# --- The decision ---------------------------------------------------------------------


def test_refused_without_a_decision(ctx, apartment, client_record):
    message = refused(ctx, new_tenancy(apartment, client_record, None), "no_decision", "decision")
    assert message == "Välj det beslut som inflyttningen verkställer."


def test_refused_with_another_clients_decision(ctx, apartment, client_record, unit, case_officer):
    other = ClientFactory(unit=unit)
    theirs = granted_decision(other, decided_on=date(2024, 1, 15), decided_by=case_officer)

    refused(ctx, new_tenancy(apartment, client_record, theirs), "wrong_client", "decision")


def test_refused_with_a_decision_of_another_kind(ctx, apartment, client_record, case_officer):
    emergency = granted_decision(
        client_record, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=date(2024, 1, 15), decided_by=case_officer
    )

    message = refused(ctx, new_tenancy(apartment, client_record, emergency), "wrong_kind", "decision")
    assert message == (
        "En träningslägenhet kräver beslut om träningslägenhet; det valda beslutet gäller jourlägenhet/"
        "tillfälligt boende."
    )


def test_refused_with_a_bolots_support_decision(ctx, apartment, client_record, case_officer):
    support = granted_decision(
        client_record, kind=DecisionKind.BOLOTS_SUPPORT, decided_on=date(2024, 1, 15), decided_by=case_officer
    )

    refused(ctx, new_tenancy(apartment, client_record, support), "wrong_kind", "decision")


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": DecisionOutcome.REJECTED},
        {"executed_on": date(2024, 2, 1)},
        {"closed_on": date(2024, 2, 1), "close_reason": "Tackade nej"},
    ],
    ids=["rejected", "executed", "closed"],
)
def test_refused_with_a_decision_not_granted_or_already_used(ctx, apartment, client_record, decision, change):
    Decision.objects.filter(pk=decision.pk).update(**change)
    decision.refresh_from_db()

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "decision_used", "decision")
    assert message == "Beslutet måste vara beviljat och får inte redan vara verkställt eller avslutat."


def test_the_service_reads_the_decision_afresh(ctx, apartment, client_record, decision):
    # The form was filled in before someone else executed the decision.
    Decision.objects.filter(pk=decision.pk).update(executed_on=date(2024, 2, 1))

    refused(ctx, new_tenancy(apartment, client_record, decision), "decision_used", "decision")


@pytest.mark.parametrize(
    ("start", "valid_from", "valid_to"),
    [
        (date(2024, 1, 31), date(2024, 2, 1), None),  # the day before the validity starts
        (date(2024, 7, 1), date(2024, 2, 1), date(2024, 6, 30)),  # the day after it ends
    ],
)
def test_refused_outside_the_decisions_validity(ctx, apartment, client_record, decision, start, valid_from, valid_to):
    Decision.objects.filter(pk=decision.pk).update(valid_from=valid_from, valid_to=valid_to)
    decision.refresh_from_db()

    message = refused(ctx, new_tenancy(apartment, client_record, decision, start=start), "outside_validity", "start_date")
    assert "giltighetstid" in message


def test_the_first_and_last_day_of_the_validity_are_within_it(ctx, unit, apartment, client_record, decision):
    Decision.objects.filter(pk=decision.pk).update(valid_from=date(2024, 2, 1), valid_to=date(2024, 6, 30))
    decision.refresh_from_db()

    move_in(ctx, new_tenancy(apartment, client_record, decision, start=date(2024, 6, 30)))

    assert Tenancy.objects.get().start_date == date(2024, 6, 30)


def test_refused_before_the_decision_date_even_when_valid_retroactively(ctx, apartment, client_record, decision):
    # Valid from 2024-01-01, decided 2024-01-15: a decision cannot be executed
    # before it was made.
    Decision.objects.filter(pk=decision.pk).update(valid_from=date(2024, 1, 1))
    decision.refresh_from_db()

    message = refused(
        ctx, new_tenancy(apartment, client_record, decision, start=date(2024, 1, 10)), "outside_validity", "start_date"
    )
    assert "(från 2024-01-15 och tills vidare)" in message


# --- The apartment and the client ----------------------------------------------------------


def test_refused_for_an_apartment_that_has_left_the_programme(ctx, apartment, client_record, decision):
    apartment.status = ApartmentStatus.LEFT_PROGRAMME
    apartment.save()

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "left_programme", "apartment")
    assert message == "Lägenheten har lämnat verksamheten och kan inte hyras ut."


def test_refused_for_a_client_with_an_active_tenancy(ctx, unit, apartment, client_record, decision):
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1))

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "active_tenancy", "client")
    assert message.startswith("Klienten har redan ett pågående hyresförhållande.")


def test_refused_while_the_clients_earlier_tenancy_still_runs(ctx, unit, apartment, client_record, decision):
    # The move-out from the other apartment was registered ahead of time: the
    # client lives there until 2024-03-10.
    TenancyFactory(
        apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1),
        end_date=date(2024, 3, 10), end_reason=EndReason.OWN_HOUSING,
    )

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "client_overlap", "start_date")
    assert "2024-03-10" in message


def test_a_client_may_move_in_the_day_after_the_earlier_move_out(ctx, unit, apartment, client_record, decision):
    TenancyFactory(
        apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1),
        end_date=date(2024, 2, 29), end_reason=EndReason.OWN_HOUSING,
    )

    move_in(ctx, new_tenancy(apartment, client_record, decision))

    assert Tenancy.objects.filter(client=client_record).count() == 2


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2023, 1, 1), None),  # the current tenant
        (date(2023, 1, 1), date(2024, 3, 1)),  # moves out on the move-in day (inclusive)
        (date(2024, 6, 1), None),  # a later tenancy already registered
    ],
    ids=["current", "moves-out-that-day", "later"],
)
def test_refused_for_an_overlapping_tenancy_of_the_apartment(ctx, unit, apartment, client_record, decision, start, end):
    TenancyFactory(
        apartment=apartment, client=ClientFactory(unit=unit), start_date=start, end_date=end,
        end_reason=EndReason.OWN_HOUSING if end else "",
    )

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "overlap", "start_date")
    assert message.startswith(f"Lägenheten är uthyrd {start:%Y-%m-%d} – ")
    assert message.endswith("hyresförhållanden i samma lägenhet får inte överlappa.")


def test_a_new_tenant_may_move_in_the_day_after_the_previous_move_out(ctx, unit, apartment, client_record, decision):
    TenancyFactory(
        apartment=apartment, client=ClientFactory(unit=unit), start_date=date(2023, 1, 1),
        end_date=date(2024, 2, 29), end_reason=EndReason.OWN_HOUSING,
    )

    move_in(ctx, new_tenancy(apartment, client_record, decision))

    assert Tenancy.objects.filter(apartment=apartment).count() == 2


def test_refused_with_an_end_before_the_start(ctx, apartment, client_record, decision):
    tenancy = new_tenancy(apartment, client_record, decision, end_date=date(2024, 2, 1), end_reason=EndReason.DIED)

    message = refused(ctx, tenancy, "before_start", "end_date")
    assert message == "Utflyttningsdatumet kan inte vara före inflyttningsdatumet (2024-03-01)."


def test_refused_with_an_end_date_at_all(ctx, apartment, client_record, decision):
    tenancy = new_tenancy(apartment, client_record, decision, end_date=date(2024, 5, 1), end_reason=EndReason.DIED)

    refused(ctx, tenancy, "ended", "end_date")


def test_the_database_refusal_of_a_second_active_tenancy_gets_the_same_message(
    ctx, unit, apartment, client_record, decision, monkeypatch
):
    # As if a simultaneous move-in of the same client into another apartment
    # had passed the check: the partial unique constraint refuses the insert.
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1))
    monkeypatch.setattr(services, "check_client_free", lambda *args, **kwargs: None)

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "active_tenancy", "client")
    assert message.startswith("Klienten har redan ett pågående hyresförhållande.")


def test_a_refusal_by_the_decisions_service_rolls_the_move_in_back(ctx, apartment, client_record, decision, monkeypatch):
    # Should the checks here ever miss what execute_decision refuses (here: a
    # closed decision), the tenancy already inserted is rolled back with it.
    Decision.objects.filter(pk=decision.pk).update(closed_on=date(2024, 2, 1), close_reason="Avslutat")
    decision.refresh_from_db()
    monkeypatch.setattr(services, "_check_decision", lambda *args, **kwargs: None)

    message = refused(ctx, new_tenancy(apartment, client_record, decision), "closed", "decision")
    assert message == "Beslutet avslutades 2024-02-01 och kan inte verkställas."


# --- Internal moves through an ordinary move-out and move-in ---------------------------------


def test_move_in_after_moving_out_within_the_programme_is_an_internal_move(ctx, unit, client_record, case_officer):
    first = moved_in(ctx, ApartmentFactory(unit=unit), client_record, date(2021, 5, 1))
    move_out(ctx, first, date(2024, 2, 20), EndReason.MOVED_WITHIN_PROGRAMME)
    # A new decision for the next apartment; the move-in comes a few days later.
    second = moved_in(ctx, ApartmentFactory(unit=unit), client_record, date(2024, 2, 26))

    second.refresh_from_db()
    assert second.is_internal_move is True
    assert second.continuous_since == date(2021, 5, 1), "the time in the programme continues"


def test_move_in_after_another_end_reason_is_a_new_stay(ctx, unit, client_record):
    first = moved_in(ctx, ApartmentFactory(unit=unit), client_record, date(2021, 5, 1))
    move_out(ctx, first, date(2024, 2, 20), EndReason.TERMINATED_ARREARS)
    second = moved_in(ctx, ApartmentFactory(unit=unit), client_record, date(2024, 2, 26))

    second.refresh_from_db()
    assert second.is_internal_move is False
    assert second.continuous_since == date(2024, 2, 26)


def test_only_the_latest_earlier_tenancy_decides(ctx, unit, client_record):
    # moved within the programme (2019–2020), then an ordinary stay ended for
    # arrears (2020–2022): the next move-in starts a new stay.
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2019, 1, 1),
                   end_date=date(2020, 1, 31), end_reason=EndReason.MOVED_WITHIN_PROGRAMME)
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2020, 2, 1),
                   end_date=date(2022, 1, 31), end_reason=EndReason.TERMINATED_ARREARS)

    third = moved_in(ctx, ApartmentFactory(unit=unit), client_record, date(2024, 2, 1))

    assert (third.is_internal_move, third.continuous_since) == (False, date(2024, 2, 1))
