"""Who may reach which housing-course page: anonymous → login, wrong role →
403, outsider → 404, right role → 200; a bolots sees only the participants
among the clients of their own orders."""

from datetime import date

import pytest
from django.urls import reverse

from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import attend_directly, enrol_directly, make_course_round

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def course(unit, pilot, client_record):
    """A round of the unit led by the pilot, with the pilot's client (via an
    order) enrolled and completed."""
    accepted_order(pilot, make_pilot(unit, "bolots_passiv"), client=client_record)
    course_round = make_course_round(unit, [pilot], date(2026, 3, 2))
    enrolment = enrol_directly(course_round, client_record, completed_on=date(2026, 3, 23))
    for number in (1, 2, 3, 4):
        attend_directly(enrolment, number)
    return course_round


def url_for(name, course):
    if name in ("course_list", "course_create", "course_missing"):
        return reverse(f"bolots:{name}")
    if name == "course_certificate":
        return reverse("bolots:course_certificate", args=[course.enrolments.get().pk])
    return reverse(f"bolots:{name}", args=[course.pk])


ALL_URLS = ["course_list", "course_create", "course_detail", "course_edit", "course_enrol", "course_attendance",
            "course_certificate", "course_missing"]

EXPECTED = {
    "case_officer": {"course_list": 200, "course_create": 403, "course_detail": 200, "course_edit": 403,
                     "course_enrol": 200, "course_attendance": 403, "course_certificate": 200,
                     "course_missing": 200},
    "manager": {"course_list": 200, "course_create": 403, "course_detail": 200, "course_edit": 403,
                "course_enrol": 403, "course_attendance": 403, "course_certificate": 200, "course_missing": 200},
    "pilot": dict.fromkeys(ALL_URLS, 200),
    # A bolots of the unit who is not assigned to the participant: the round
    # is the unit's, the participant's certificate is not theirs to see.
    "second_pilot": {**dict.fromkeys(ALL_URLS, 200), "course_certificate": 404},
    "housing_admin": dict.fromkeys(ALL_URLS, 403),
    "system_admin": dict.fromkeys(ALL_URLS, 403),
    # A case officer of another unit: their own (empty) lists, and nothing of this unit.
    "outside_officer": {"course_list": 200, "course_create": 403, "course_detail": 404, "course_edit": 403,
                        "course_enrol": 404, "course_attendance": 403, "course_certificate": 404,
                        "course_missing": 200},
}


@pytest.mark.parametrize("name", ALL_URLS)
def test_anonymous_is_sent_to_login(client, course, name):
    response = client.get(url_for(name, course))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", ALL_URLS)
def test_status_per_role(client, users, course, who, name):
    client.force_login(users[who])

    assert client.get(url_for(name, course)).status_code == EXPECTED[who][name]


@pytest.mark.parametrize("name", ["course_create", "course_edit", "course_enrol", "course_attendance"])
def test_writes_need_the_right_role_too(client, users, course, name):
    client.force_login(users["manager"])

    assert client.post(url_for(name, course), {}).status_code == 403


def test_a_bolots_sees_only_the_participants_of_their_own_orders(client, second_pilot, pilot, course, client_record):
    client.force_login(second_pilot)

    detail = client.get(url_for("course_detail", course)).content.decode()
    attendance = client.get(url_for("course_attendance", course)).content.decode()
    missing = client.get(url_for("course_missing", course)).content.decode()

    for html in (detail, attendance, missing):
        assert client_record.full_name not in html
    assert "Ytterligare 1 deltagare är anmäld vars akt du inte kan öppna." in detail

    client.force_login(pilot)
    assert client_record.full_name in client.get(url_for("course_detail", course)).content.decode()


def test_the_enrol_list_offers_only_clients_the_user_may_see(client, second_pilot, pilot, unit, course):
    from tenancies.tests.factories import granted_decision

    waiting = ClientFactory(unit=unit)
    granted_decision(waiting, decided_on=date(2026, 4, 1))
    client.force_login(second_pilot)

    assert waiting.full_name not in client.get(url_for("course_enrol", course)).content.decode()
    response = client.post(url_for("course_enrol", course), {"client": waiting.pk})
    assert response.status_code == 200
    assert not course.enrolments.filter(client=waiting).exists()
