"""Internal moves with a gap (docs/housing-chain.md, "Internal moves with a
gap"; docs/kpis.md): the client moves out of one apartment of the programme
"moved within the programme" on day X and into another on a later day Y.
The new tenancy is an internal move all the same and continues the time in
the programme (continuous_since), which KPI 7 counts."""

from datetime import date

import pytest
from django.urls import reverse

from reports.kpis import compute_kpis
from tenancies.models import ApartmentKind, EndReason, Tenancy
from tenancies.services.moves import internal_move
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, moved_in

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def old_apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)


@pytest.fixture
def new_apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)


def move(ctx, tenancy, apartment, move_out_on, move_in_on):
    return internal_move(ctx, tenancy, Tenancy(apartment=apartment, start_date=move_in_on), move_out_on=move_out_on)


@pytest.mark.parametrize(("move_out_on", "move_in_on"), [
    (D(2023, 3, 10), D(2023, 3, 17)),  # a week within a month
    (D(2023, 4, 28), D(2023, 5, 3)),  # across a month end
    (D(2023, 12, 30), D(2024, 1, 8)),  # across a year end
    (D(2023, 5, 31), D(2023, 6, 1)),  # no gap: the day after (as before)
])
def test_a_gap_ends_the_old_tenancy_on_the_move_out_and_continues_the_stay(
    ctx, old_apartment, new_apartment, client_record, move_out_on, move_in_on,
):
    tenancy = moved_in(ctx, old_apartment, client_record, D(2021, 9, 1))
    new = move(ctx, tenancy, new_apartment, move_out_on, move_in_on)
    tenancy.refresh_from_db()
    new.refresh_from_db()
    assert (tenancy.end_date, tenancy.end_reason) == (move_out_on, EndReason.MOVED_WITHIN_PROGRAMME)
    assert (new.start_date, new.is_internal_move, new.continuous_since) == (move_in_on, True, D(2021, 9, 1))
    # The decision carries over (same kind): still the first one, executed 2021-09-01.
    assert new.decision_id == tenancy.decision_id


def test_without_a_move_out_date_the_old_tenancy_ends_the_day_before(ctx, old_apartment, new_apartment,
                                                                      client_record):
    tenancy = moved_in(ctx, old_apartment, client_record, D(2021, 9, 1))
    internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=D(2024, 1, 1)))
    tenancy.refresh_from_db()
    assert tenancy.end_date == D(2023, 12, 31)


@pytest.mark.parametrize(("move_out_on", "move_in_on", "code", "field"), [
    (D(2023, 3, 10), D(2023, 3, 10), "move_in_before_move_out", "start_date"),
    (D(2023, 3, 10), D(2023, 3, 2), "move_in_before_move_out", "start_date"),
    (D(2021, 8, 31), D(2023, 3, 2), "before_start", "move_out_date"),
])
def test_a_move_in_on_or_before_the_move_out_is_refused(
    ctx, old_apartment, new_apartment, client_record, move_out_on, move_in_on, code, field,
):
    tenancy = moved_in(ctx, old_apartment, client_record, D(2021, 9, 1))
    with pytest.raises(TenancyError) as error:
        move(ctx, tenancy, new_apartment, move_out_on, move_in_on)
    assert (error.value.code, error.value.field) == (code, field)
    tenancy.refresh_from_db()
    assert tenancy.end_date is None and Tenancy.objects.count() == 1


# --- The form --------------------------------------------------------------------------


def test_the_form_refuses_a_move_in_before_the_move_out_in_swedish(client, housing_admin, ctx, old_apartment,
                                                                    new_apartment, client_record):
    tenancy = moved_in(ctx, old_apartment, client_record, D(2021, 9, 1))
    client.force_login(housing_admin)
    url = reverse("tenancies:tenancy_internal_move", args=[tenancy.pk])
    data = {"version": tenancy.version, "apartment": new_apartment.pk, "move_out_date": "2023-03-10",
            "start_date": "2023-03-09", "contract_months": 1, "notice_weeks": 2}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Inflyttningsdagen i den nya lägenheten måste vara efter utflyttningsdagen (2023-03-10)" in (
        response.content.decode())
    assert Tenancy.objects.count() == 1

    response = client.post(url, {**data, "start_date": "2023-04-03"})
    assert response.status_code == 302
    tenancy.refresh_from_db()
    assert tenancy.end_date == D(2023, 3, 10)
    assert Tenancy.objects.get(apartment=new_apartment).start_date == D(2023, 4, 3)


# --- KPI 7 on a hand-built set -------------------------------------------------------------


def candidates(year, unit):
    seven = compute_kpis(year, unit)[6]
    return next(f.value for f in seven.figures if f.key == "kpi7.candidates")


def test_kpi7_counts_the_stay_across_a_gap_as_continuous(ctx, unit, client_record):
    from referrals.tests.factories import ClientFactory

    a, b, c, d = (ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING) for _ in range(4))
    # Client 1: training apartment A from 2022-12-31, moved within the programme
    # on 2024-11-29 (last day), waited 44 days, into B on 2025-01-13 (a gap across
    # the year end). Internal move: in the programme since 2022-12-31, so on
    # 2025-12-31 three years → a candidate in 2025; on 2024-12-31 only two
    # years (and not in a training apartment that day) → not in 2024.
    first = moved_in(ctx, a, client_record, D(2022, 12, 31))
    move(ctx, first, b, D(2024, 11, 29), D(2025, 1, 13))
    # Client 2: C from 2023-01-01, moved out "own housing" 2023-06-30 and back
    # into D on 2023-08-01: not an internal move (another end reason), so the
    # stay starts again on 2023-08-01 → under three years on 2025-12-31.
    other = ClientFactory(unit=unit)
    second = moved_in(ctx, c, other, D(2023, 1, 1))
    from tenancies.services.moves import move_out

    move_out(ctx, second, D(2023, 6, 30), EndReason.OWN_HOUSING)
    again = moved_in(ctx, d, other, D(2023, 8, 1))
    assert not again.is_internal_move and again.continuous_since == D(2023, 8, 1)
    # 2025: client 1 only → 1; 2024: none → 0.
    assert candidates(2025, unit) == 1
    assert candidates(2024, unit) == 0
