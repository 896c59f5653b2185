"""Date bounds on every date a user types (core.dates): 9999-12-31 gave a
500 on the course form, and a move-out dated 9999-12-31 was accepted and
then broke the apartment's page for good."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from bolots.models import CourseRound
from core.dates import DateBounds, DateBoundsMixin, day_after, day_before, latest
from core.tests.forms_walk import project_form_classes
from tenancies.models import ApartmentStatus, EndReason, Tenancy
from tenancies.tests.factories import ApartmentFactory, TenancyFactory


def date_fields(cls):
    return [name for name, field in cls.base_fields.items()
            if isinstance(field, forms.DateField | forms.DateTimeField)]


def test_every_form_with_a_date_field_has_the_bounds():
    with_dates = [cls for cls in project_form_classes() if date_fields(cls)]
    assert len(with_dates) >= 30, "the walk found the project's forms"
    missing = [f"{cls.__module__}.{cls.__qualname__}" for cls in with_dates
               if not issubclass(cls, DateBoundsMixin)]
    assert missing == []


@pytest.mark.parametrize(("value", "message"), [
    (date(1899, 12, 31), "Datumet kan inte vara före 1900-01-01."),
    (date(9999, 12, 31), "Datumet kan inte vara senare än {}."),
])
def test_out_of_bounds_dates_get_a_swedish_message(value, message):
    with pytest.raises(forms.ValidationError) as error:
        DateBounds()(value)
    assert error.value.messages == [message.format(latest(10).isoformat())]


def test_the_bounds_themselves_are_allowed():
    DateBounds()(date(1900, 1, 1))
    DateBounds()(latest(10))
    DateBounds(2)(latest(2))
    with pytest.raises(forms.ValidationError):
        DateBounds(2)(day_after(latest(2)))


def test_day_arithmetic_stops_at_the_end_of_the_calendar():
    assert day_after(date.max) == date.max
    assert day_before(date.min) == date.min
    assert day_after(date(2024, 2, 28)) == date(2024, 2, 29)


@pytest.mark.django_db
@pytest.mark.parametrize("starts_on", ["9999-12-31", "0001-01-01"])
def test_a_course_far_out_is_refused_beside_the_field(client, pilot, starts_on):
    client.force_login(pilot)
    response = client.post(reverse("bolots:course_create"), {
        "starts_on": starts_on, "starts_at": "13:30", "place": "Träffpunkten", "capacity": "6",
        "leaders": [pilot.pk],
    })
    assert response.status_code == 200
    assert response.context["form"].errors["starts_on"][0].startswith("Datumet kan inte vara")
    assert not CourseRound.objects.exists()


@pytest.mark.django_db
def test_a_course_three_years_ahead_is_refused(client, pilot):
    client.force_login(pilot)
    far = latest(3).isoformat()
    response = client.post(reverse("bolots:course_create"), {
        "starts_on": far, "starts_at": "13:30", "place": "Träffpunkten", "capacity": "6", "leaders": [pilot.pk],
    })
    assert response.status_code == 200
    assert "starts_on" in response.context["form"].errors
    assert not CourseRound.objects.exists()


@pytest.fixture
def tenancy(unit, client_record, case_officer):
    return TenancyFactory(
        apartment=ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED, street_address="Bovägen 3"),
        client=client_record, start_date=date(2023, 1, 1), created_by=case_officer,
    )


@pytest.mark.django_db
def test_a_move_out_in_year_9999_is_refused(client, case_officer, tenancy):
    client.force_login(case_officer)
    response = client.post(reverse("tenancies:tenancy_move_out", args=[tenancy.pk]), {
        "move_out-end_date": "9999-12-31", "move_out-end_reason": EndReason.OWN_HOUSING,
        "move_out-note": "", "move_out-version": str(tenancy.version),
    })
    assert response.status_code == 200
    assert response.context["move_out_form"].errors["end_date"][0].startswith("Datumet kan inte vara senare än")
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None


@pytest.mark.django_db
def test_the_apartment_page_survives_a_move_out_stored_in_year_9999(client, housing_admin, tenancy):
    # As stored before the bounds existed.
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(9999, 12, 31), end_reason=EndReason.OWN_HOUSING)
    client.force_login(housing_admin)
    response = client.get(reverse("tenancies:apartment_detail", args=[tenancy.apartment_id]))
    assert response.status_code == 200
    assert timezone.localdate() < date(9999, 12, 31)


def test_every_multiple_model_choice_field_refuses_ids_beyond_64_bits():
    """A chosen id of 99999999999999999999 raised OverflowError inside
    Django's `__in` query (a 500, found by the fuzzer): every form uses
    core.forms.ModelMultipleChoiceField instead."""
    from core.forms import ModelMultipleChoiceField

    plain = [f"{cls.__module__}.{cls.__qualname__}.{name}" for cls in project_form_classes()
             for name, field in cls.base_fields.items()
             if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, ModelMultipleChoiceField)]
    assert plain == []
