"""The housing-course pages: creating and editing a round, enrolling,
recording attendance, the list of new tenants without the course, and the
lists' query counts."""

from datetime import date, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from bolots.models import Attendance, CourseRound, CourseSession, Enrolment
from referrals.models import DecisionKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.models import ApartmentKind
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, granted_decision

from .factories import attend_directly, enrol_directly, make_course_round, training_tenancy

pytestmark = pytest.mark.django_db


def weeks_ago(n):
    return timezone.localdate() - timedelta(weeks=n)


@pytest.fixture
def past_round(unit, pilot):
    """A round whose four sessions are all held: eight to five weeks ago."""
    return make_course_round(unit, [pilot], weeks_ago(8))


def assigned_client(pilot, unit, **kwargs):
    client = ClientFactory(unit=unit, **kwargs)
    accepted_order(pilot, make_pilot(unit, f"passiv{client.pk}"), client=client)
    return client


# --- Creating and editing a round ----------------------------------------------------------------


def test_a_bolots_creates_a_round(client, pilot, second_pilot):
    client.force_login(pilot)
    form = client.get(reverse("bolots:course_create")).context["form"]
    assert form.initial["leaders"] == [pilot.pk], "the bolots leads the round they create"

    response = client.post(reverse("bolots:course_create"), {
        "starts_on": "2026-09-07", "starts_at": "13:30", "place": "Träffpunkten", "capacity": "6",
        "leaders": [pilot.pk, second_pilot.pk],
    })

    course_round = CourseRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bolots:course_detail", args=[course_round.pk])
    assert list(course_round.sessions.values_list("held_on", flat=True)) == [
        date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28),
    ]


def test_a_round_without_a_leader_is_refused_in_swedish(client, pilot):
    client.force_login(pilot)

    response = client.post(reverse("bolots:course_create"), {
        "starts_on": "2026-09-07", "starts_at": "13:00", "place": "Träffpunkten", "capacity": "6",
    })

    assert response.status_code == 200
    assert "Välj minst en kursledare." in response.content.decode()
    assert not CourseRound.objects.exists()


def edit_data(course_round, **changes):
    sessions = course_round.sessions.order_by("number")
    data = {
        "version": str(CourseRound.objects.get(pk=course_round.pk).version),
        "starts_on": course_round.starts_on.isoformat(), "place": course_round.place,
        "capacity": str(course_round.capacity), "leaders": [leader.pk for leader in course_round.leaders.all()],
    }
    for session in sessions:
        prefix = f"session-{session.number}-"
        data.update({prefix + "held_on": session.held_on.isoformat(), prefix + "starts_at": "13:00",
                     prefix + "topic": session.topic})
    data.update(changes)
    return data


def test_a_bolots_edits_the_sessions(client, pilot, past_round):
    client.force_login(pilot)
    new_day = (past_round.starts_on + timedelta(days=22)).isoformat()

    response = client.post(reverse("bolots:course_edit", args=[past_round.pk]), edit_data(
        past_round, **{"session-4-held_on": new_day, "session-4-topic": "Budget och skulder"}
    ))

    assert response.status_code == 302
    session = CourseSession.objects.get(round=past_round, number=4)
    assert (session.held_on.isoformat(), session.topic) == (new_day, "Budget och skulder")


def test_an_edit_out_of_order_is_shown_beside_the_session(client, pilot, past_round):
    client.force_login(pilot)
    too_early = (past_round.starts_on - timedelta(days=1)).isoformat()

    response = client.post(reverse("bolots:course_edit", args=[past_round.pk]),
                           edit_data(past_round, **{"session-2-held_on": too_early}))

    assert response.status_code == 200
    session_forms = response.context["session_forms"]
    assert session_forms[1].errors["held_on"][0].startswith("Träff 2 kan inte vara före träff 1")


def test_a_conflicting_edit_keeps_the_input(client, pilot, past_round):
    client.force_login(pilot)
    data = edit_data(past_round, place="Min plats")
    CourseRound.objects.filter(pk=past_round.pk).update(place="Någon annans plats", version=F("version") + 1)

    response = client.post(reverse("bolots:course_edit", args=[past_round.pk]), data)

    html = response.content.decode()
    assert "Någon annan sparade kursomgången medan du ändrade den." in html
    assert 'value="Min plats"' in html
    assert CourseRound.objects.get(pk=past_round.pk).place == "Någon annans plats"


# --- Enrolment ----------------------------------------------------------------------------------


def test_a_case_officer_enrols_a_waiting_client(client, case_officer, past_round, unit):
    waiting = ClientFactory(unit=unit, first_name="Väntande")
    granted_decision(waiting, kind=DecisionKind.TRAINING_APARTMENT, decided_on=timezone.localdate())
    ClientFactory(unit=unit, first_name="Ointresserad")
    client.force_login(case_officer)
    url = reverse("bolots:course_enrol", args=[past_round.pk])

    html = client.get(url).content.decode()
    assert "Väntande" in html and "Ointresserad" not in html

    response = client.post(url, {"client": waiting.pk}, follow=True)

    assert Enrolment.objects.get().client == waiting
    assert "Klienten är anmäld till kursomgången." in response.content.decode()


def test_a_full_round_takes_no_more(client, case_officer, unit, pilot):
    course_round = make_course_round(unit, [pilot], weeks_ago(1), capacity=1)
    enrol_directly(course_round, ClientFactory(unit=unit))
    client.force_login(case_officer)

    html = client.get(reverse("bolots:course_enrol", args=[course_round.pk])).content.decode()
    detail = client.get(reverse("bolots:course_detail", args=[course_round.pk])).content.decode()

    assert "Kursomgången är full. Anmäl klienten till en senare omgång." in html
    assert "Anmäl en klient" not in detail and "Full" in detail


# --- Attendance ----------------------------------------------------------------------------------


def grid_data(page_form, marks):
    """POST data of the attendance grid as loaded, with `marks` {field name: value} changed."""
    data = {"versions": page_form.fields["versions"].initial}
    for name, field in page_form.fields.items():
        if name.startswith("a-") and field.initial:
            data[name] = "on"
        if name.startswith("m-") and field.initial:
            data[name] = field.initial.isoformat()
    for name, value in marks.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def cell(prefix, enrolment, number):
    return f"{prefix}-{enrolment.pk}-{enrolment.round.sessions.get(number=number).pk}"


def test_a_bolots_records_attendance_and_a_make_up(client, pilot, past_round, unit):
    anna = enrol_directly(past_round, assigned_client(pilot, unit, first_name="Anna"))
    bo = enrol_directly(past_round, assigned_client(pilot, unit, first_name="Bo"))
    client.force_login(pilot)
    url = reverse("bolots:course_attendance", args=[past_round.pk])
    form = client.get(url).context["form"]
    made_up = past_round.starts_on + timedelta(days=24)  # session 3 made up after session 4

    response = client.post(url, grid_data(form, {
        cell("a", anna, 1): "on", cell("a", anna, 2): "on", cell("m", anna, 3): made_up.isoformat(),
        cell("a", anna, 4): "on", cell("a", bo, 1): "on",
    }), follow=True)

    assert "Närvaron är sparad." in response.content.decode()
    anna.refresh_from_db()
    bo.refresh_from_db()
    assert anna.completed_on == made_up
    assert bo.completed_on is None
    assert Attendance.objects.count() == 5
    html = client.get(reverse("bolots:course_detail", args=[past_round.pk])).content.decode()
    assert "Har gått klart kursen" in html and made_up.isoformat() in html


def test_a_wrong_cell_is_shown_beside_it_and_nothing_is_saved(client, pilot, past_round, unit):
    anna = enrol_directly(past_round, assigned_client(pilot, unit))
    client.force_login(pilot)
    url = reverse("bolots:course_attendance", args=[past_round.pk])
    form = client.get(url).context["form"]
    before_session = (past_round.starts_on - timedelta(days=1)).isoformat()
    bad = cell("m", anna, 1)

    response = client.post(url, grid_data(form, {cell("a", anna, 2): "on", bad: before_session}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Igentagningen kan inte vara före träffen som tas igen" in html
    assert f'id="id_{bad}_error"' in html
    assert f'aria-describedby="id_{bad}_error"' in html
    assert not Attendance.objects.exists()


def test_only_changed_cells_are_written(client, pilot, past_round, unit):
    anna = enrol_directly(past_round, assigned_client(pilot, unit))
    bo = enrol_directly(past_round, assigned_client(pilot, unit))
    attend_directly(anna, 1)
    attend_directly(bo, 1)
    client.force_login(pilot)
    url = reverse("bolots:course_attendance", args=[past_round.pk])
    form = client.get(url).context["form"]

    response = client.post(url, grid_data(form, {cell("a", anna, 2): "on"}))

    assert response.status_code == 302
    rows = AccessLogEntry.objects.filter(object_type="bolots.enrolment", action=AccessAction.UPDATE)
    assert [(row.client_id, row.note) for row in rows] == [(anna.client_id, "attendance 2")]


def test_attendance_saved_meanwhile_is_not_overwritten(client, pilot, past_round, unit):
    anna = enrol_directly(past_round, assigned_client(pilot, unit))
    client.force_login(pilot)
    url = reverse("bolots:course_attendance", args=[past_round.pk])
    form = client.get(url).context["form"]
    attend_directly(anna, 1)  # a second leader saves first

    response = client.post(url, grid_data(form, {cell("a", anna, 2): "on"}))

    assert "Någon annan sparade närvaro för kursomgången medan du arbetade." in response.content.decode()
    assert list(Attendance.objects.values_list("session__number", flat=True)) == [1]


# --- New tenants without the course --------------------------------------------------------------


def test_the_list_of_new_tenants_without_the_course(client, case_officer, unit, pilot, other_unit):
    today = timezone.localdate()
    new = training_tenancy(ClientFactory(unit=unit, first_name="Ny"), today - timedelta(days=40))
    in_progress = training_tenancy(ClientFactory(unit=unit, first_name="Pågående"), today - timedelta(days=90))
    enrolment = enrol_directly(make_course_round(unit, [pilot], weeks_ago(3)), in_progress.client)
    attend_directly(enrolment, 1)
    attend_directly(enrolment, 2, attended=False, made_up_on=today)
    done = training_tenancy(ClientFactory(unit=unit, first_name="Klar"), today - timedelta(days=100))
    enrol_directly(make_course_round(unit, [pilot], weeks_ago(12)), done.client, completed_on=today - timedelta(days=60))
    training_tenancy(ClientFactory(unit=unit, first_name="Utflyttad"), today - timedelta(days=300), today - timedelta(days=5))
    TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL),
                   client=ClientFactory(unit=unit, first_name="Försök"), start_date=today - timedelta(days=20))
    training_tenancy(ClientFactory(unit=other_unit, first_name="Annanstans"), today - timedelta(days=10))
    client.force_login(case_officer)

    response = client.get(reverse("bolots:course_missing"))

    assert list(response.context["page_obj"].object_list) == [in_progress, new]
    html = response.content.decode()
    assert '<td data-label="Dagar sedan inflyttning">40</td>' in html
    assert "2 av 4 träffar" in html
    assert "Inte anmäld" in html
    assert "Klar" not in html and "Utflyttad" not in html and "Försök" not in html and "Annanstans" not in html


@pytest.mark.parametrize("count", [5, 50])
def test_the_missing_list_query_count_does_not_grow(client, case_officer, unit, pilot, count,
                                                     django_assert_num_queries):
    course_round = make_course_round(unit, [pilot], weeks_ago(3), capacity=50)
    for i in range(count):
        tenancy = training_tenancy(ClientFactory(unit=unit), timezone.localdate() - timedelta(days=10 + i))
        if i % 2:
            attend_directly(enrol_directly(course_round, tenancy.client), 1)
    client.force_login(case_officer)

    # base 8 + count and page of the tenancies + their enrolments in progress = 11
    with django_assert_num_queries(12):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(reverse("bolots:course_missing"))

    assert len(response.context["page_obj"].object_list) == count


@pytest.mark.parametrize("count", [2, 20])
def test_the_round_list_query_count_does_not_grow(client, pilot, second_pilot, unit, count, django_assert_num_queries):
    for i in range(count):
        course_round = make_course_round(unit, [pilot, second_pilot], weeks_ago(10 + i))
        enrol_directly(course_round, ClientFactory(unit=unit), completed_on=course_round.starts_on)
        enrol_directly(course_round, ClientFactory(unit=unit))
    client.force_login(pilot)

    # base 8 + count and page of the rounds + their leaders = 11
    with django_assert_num_queries(10):
        response = client.get(reverse("bolots:course_list"))

    rounds = response.context["page_obj"].object_list
    assert len(rounds) == count
    assert [(r.enrolled, r.completed) for r in rounds] == [(2, 1)] * count
    assert rounds[0].last_session == rounds[0].starts_on + timedelta(weeks=3)


@pytest.mark.parametrize("count", [2, 6])
def test_the_round_and_attendance_pages_query_counts_do_not_grow(client, pilot, unit, count,
                                                                  django_assert_num_queries):
    course_round = make_course_round(unit, [pilot], weeks_ago(6), capacity=6)
    for _ in range(count):
        enrolment = enrol_directly(course_round, assigned_client(pilot, unit))
        attend_directly(enrolment, 1)
    client.force_login(pilot)

    # base 8 + the round with the number enrolled, its leaders, its sessions,
    # the participants = 12
    with django_assert_num_queries(13):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        client.get(reverse("bolots:course_detail", args=[course_round.pk]))
    # base 8 + the round with the number enrolled, its sessions, the
    # participants, their attendance = 12
    with django_assert_num_queries(8):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(reverse("bolots:course_attendance", args=[course_round.pk]))
    assert len(response.context["rows"]) == count


def test_the_menu_leads_to_the_course(client, pilot, case_officer):
    for user in (pilot, case_officer):
        client.force_login(user)
        html = client.get(reverse("bolots:course_list")).content.decode()
        assert f'href="{reverse("bolots:course_list")}"' in html
        assert "Nya hyresgäster utan boendekurs" in html
