"""{{ record|choice_label:"field" }} (core/templatetags/ui.py): the label a
list row shows for a stored choice, the same as get_FOO_display(), with the
labels read once per field and language. Unsaved instances: only the
fields are read."""

from django.template import Context, Template
from django.utils import translation

from referrals.models import Order, OrderState
from tenancies.models import Apartment
from tenancies.models.apartments import ApartmentKind, ApartmentStatus, Tenure


def render(record, name: str) -> str:
    return Template('{% load ui %}{{ record|choice_label:name }}').render(Context({"record": record, "name": name}))


def test_every_choice_reads_as_get_foo_display_says_it():
    for name, choices in (("kind", ApartmentKind), ("tenure", Tenure), ("status", ApartmentStatus)):
        for value in choices.values:
            apartment = Apartment(**{name: value})
            shown = getattr(apartment, f"get_{name}_display")()
            assert render(apartment, name) == shown
            assert shown != value  # a translated label, not the stored code
    for value in OrderState.values:
        order = Order(state=value)
        assert render(order, "state") == order.get_state_display()


def test_a_value_that_is_not_a_choice_is_shown_as_stored_and_empty_as_empty():
    assert render(Apartment(kind="gone"), "kind") == "gone"
    assert Template('{% load ui %}{{ r|choice_label:"kind"|default:"–" }}').render(Context({"r": Apartment(kind="")})) == "–"


def test_the_kept_labels_follow_the_active_language():
    apartment = Apartment(status=ApartmentStatus.VACANT)
    swedish = render(apartment, "status")
    with translation.override("en"):
        english = render(apartment, "status")
        assert english == apartment.get_status_display()
    assert english != swedish
    assert render(apartment, "status") == swedish
