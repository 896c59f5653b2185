"""The order pages: lists and their filters, the bolotsar's queue without
personal details, the 48-hour flag, the detail page's steps, a new order,
and the client's orders tab."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from referrals.models import Decision, Order, OrderEvent, OrderKind, OrderOutcome, OrderState
from referrals.tests.factories import ClientFactory

from .factories_orders import BolotsDecisionFactory, OrderFactory, accepted_order, make_pilot, outreach_order

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:order_list")
CREATE = reverse("referrals:order_create")


def detail(order):
    return reverse("referrals:order_detail", args=[order.pk])


def step(order, slug):
    return reverse("referrals:order_step", args=[order.pk, slug])


@pytest.fixture
def person(unit, case_officer):
    return ClientFactory(
        unit=unit, responsible_officer=case_officer, first_name="Doris", last_name="Exempelsson",
        street_address="Lönngatan 12", phone="070-5550123",
    )


@pytest.fixture
def queued(unit, case_officer, person):
    return OrderFactory(
        unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.EVICTION_PREVENTION,
        assignment="Hembesök om hyresskulden på Lönngatan.", risk_animals=True, risk_notes="Stor hund, Doris säger att den är snäll.",
    )


# --- Lists ---------------------------------------------------------------------------


def test_case_officer_sees_own_open_orders_by_default_and_can_widen(client, unit, case_officer, person, other_unit):
    colleague_order = OrderFactory(unit=unit, client=person, assignment="Kollegans uppdrag")
    mine = OrderFactory(unit=unit, ordered_by=case_officer, client=person)
    done = OrderFactory(unit=unit, ordered_by=case_officer, client=person, state=OrderState.COMPLETED)
    stranger = OrderFactory(unit=other_unit)
    client.force_login(case_officer)

    html = client.get(LIST).content.decode()
    assert f"#{mine.pk}<" in html
    assert f"#{colleague_order.pk}<" not in html
    assert f"#{done.pk}<" not in html

    html = client.get(LIST, {"visa": "alla", "status": ""}).content.decode()
    assert all(f"#{o.pk}<" in html for o in (mine, colleague_order, done))
    assert f"#{stranger.pk}<" not in html
    assert "Doris Exempelsson" in html


def test_state_and_kind_filters(client, unit, case_officer, person):
    returned = OrderFactory(unit=unit, ordered_by=case_officer, client=person, state=OrderState.RETURNED)
    sent = OrderFactory(unit=unit, ordered_by=case_officer, client=person)
    outreach = outreach_order(unit, case_officer)
    client.force_login(case_officer)

    html = client.get(LIST, {"visa": "mina", "status": "returned"}).content.decode()
    assert f"#{returned.pk}<" in html and f"#{sent.pk}<" not in html

    html = client.get(LIST, {"visa": "mina", "status": "", "typ": "outreach"}).content.decode()
    assert f"#{outreach.pk}<" in html and f"#{sent.pk}<" not in html

    # A bad value falls back to the defaults instead of failing.
    assert client.get(LIST, {"status": "nonsense"}).status_code == 200


def test_manager_sees_all_the_units_open_orders(client, unit, manager, person):
    order = OrderFactory(unit=unit, client=person)
    client.force_login(manager)

    html = client.get(LIST).content.decode()

    assert f"#{order.pk}<" in html
    assert "Nytt uppdrag" not in html


def test_pilot_sees_assigned_orders_open_first_and_the_queue(client, unit, case_officer, pilot, second_pilot, person, queued):
    # Ended orders follow under their own heading, without the person
    # (docs/access.md "Former clients").
    done = accepted_order(pilot, second_pilot, client=person, state=OrderState.COMPLETED, sent_at=timezone.now(),
                          completed_at=timezone.now())
    ongoing = accepted_order(pilot, second_pilot, client=person, state=OrderState.IN_PROGRESS,
                             sent_at=timezone.now() - timedelta(days=30))
    client.force_login(pilot)

    html = client.get(LIST).content.decode()
    mine_part, queue_part = html.split("Att ta emot</h2>")

    assert "Mina uppdrag" in mine_part
    assert mine_part.index(f"#{ongoing.pk}<") < mine_part.index(f"#{done.pk}<"), "open orders first"
    assert f"#{queued.pk}<" in queue_part


def test_queue_hides_who_and_where_until_accepted(client, second_pilot, queued):
    client.force_login(second_pilot)

    for url in (LIST, detail(queued)):
        html = client.get(url).content.decode()
        assert f"#{queued.pk}" in html
        for secret in ("Doris", "Exempelsson", "Lönngatan", "070-5550123", "hyresskulden", "Stor hund"):
            assert secret not in html, f"{secret} on {url}"
        assert reverse("referrals:client_detail", args=[queued.client_id]) not in html
        assert "Djur" in html, "the risks are shown"


def test_queue_view_of_an_order_is_not_access_logged_but_a_full_view_is(client, second_pilot, case_officer, queued):
    client.force_login(second_pilot)
    client.get(detail(queued))
    assert not AccessLogEntry.objects.filter(
        object_type="referrals.order", object_id=str(queued.pk), action=AccessAction.VIEW
    ).exists()

    client.force_login(case_officer)
    client.get(detail(queued))
    entry = AccessLogEntry.objects.get(object_type="referrals.order", object_id=str(queued.pk), action=AccessAction.VIEW)
    assert (entry.user, entry.client_id, entry.object_type) == (case_officer, queued.client_id, "referrals.order")


def test_every_row_shows_the_48_hour_deadline_or_the_overdue_flag(client, unit, case_officer, person):
    now = timezone.now()
    overdue = OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.OUTREACH,
                           sent_at=now - timedelta(hours=49))
    running = OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.EVICTION_PREVENTION,
                           sent_at=now - timedelta(hours=10))
    visited = OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.OUTREACH,
                           sent_at=now - timedelta(hours=60), first_visit_at=now - timedelta(hours=30))
    errand = OrderFactory(unit=unit, ordered_by=case_officer, client=person)
    client.force_login(case_officer)

    rows = {
        order.pk: row
        for row in client.get(LIST).content.decode().split("<tr>")[2:]
        for order in (overdue, running, visited, errand)
        if f"#{order.pk}<" in row
    }

    assert "Försenat första besök" in rows[overdue.pk]
    assert "Försenat" not in rows[running.pk] and "kvar" in rows[running.pk]
    assert "timmar kvar" in rows[running.pk]
    assert "Försenat" not in rows[visited.pk] and "Första besök" in rows[visited.pk]
    assert "Ingen 48-timmarsregel" in rows[errand.pk]


# --- Detail and steps -------------------------------------------------------------------


def test_detail_shows_risks_first_then_person_assignment_and_timeline(client, case_officer, queued, pilot):
    OrderEvent.objects.create(order=queued, by=pilot, transition=OrderEvent.Transition.RETURNED, text="Vilken port?")
    client.force_login(case_officer)

    html = client.get(detail(queued)).content.decode()

    assert html.index("Riskinformation") < html.index("Doris Exempelsson") < html.index("Hembesök om hyresskulden")
    assert "Stor hund" in html
    assert "Lönngatan 12" in html
    assert "Vilken port?" in html
    assert "Makulera uppdraget" in html
    assert "Acceptera" not in html, "case officers do not accept"


def test_pilot_accepts_from_the_queue_and_then_sees_the_client(client, pilot, second_pilot, queued):
    client_url = reverse("referrals:client_detail", args=[queued.client_id])
    client.force_login(second_pilot)
    assert client.get(client_url).status_code == 404

    response = client.post(step(queued, "acceptera"), {
        "accept-version": queued.version, "accept-active_pilot": second_pilot.pk, "accept-passive_pilot": pilot.pk,
    })

    assert response.status_code == 302 and response["Location"] == detail(queued)
    order = Order.objects.get(pk=queued.pk)
    assert order.state == OrderState.ACCEPTED and order.active_pilot == second_pilot
    html = client.get(detail(queued)).content.decode()
    assert "Doris Exempelsson" in html and "Hembesök om hyresskulden" in html
    assert client_url in html
    assert client.get(client_url).status_code == 200
    assert "Doris Exempelsson" in client.get(reverse("referrals:client_orders", args=[queued.client_id])).content.decode()


def test_accepting_for_two_colleagues_goes_back_to_the_list(client, unit, pilot, second_pilot, queued):
    coordinator = make_pilot(unit, "samordnare")
    client.force_login(coordinator)

    response = client.post(step(queued, "acceptera"), {
        "accept-version": queued.version, "accept-active_pilot": pilot.pk, "accept-passive_pilot": second_pilot.pk,
    })

    assert response["Location"] == LIST
    assert client.get(detail(queued)).status_code == 404


def test_bad_step_input_is_shown_beside_the_field_and_nothing_is_saved(client, pilot, queued):
    client.force_login(pilot)

    response = client.post(step(queued, "acceptera"), {
        "accept-version": queued.version, "accept-active_pilot": pilot.pk, "accept-passive_pilot": pilot.pk,
    })

    assert response.status_code == 200
    assert "två olika personer" in response.content.decode()
    assert Order.objects.get(pk=queued.pk).state == OrderState.SENT


def test_a_stale_page_is_refused_with_a_message(client, case_officer, queued):
    client.force_login(case_officer)
    Order.objects.filter(pk=queued.pk).update(version=queued.version + 1)

    response = client.post(step(queued, "makulera"), {"cancel-version": queued.version, "cancel-reason": "Fel"}, follow=True)

    assert "Någon annan ändrade uppdraget samtidigt" in response.content.decode()
    assert Order.objects.get(pk=queued.pk).state == OrderState.SENT


def test_a_step_the_user_may_not_take_is_403(client, case_officer, queued, pilot, second_pilot):
    client.force_login(case_officer)

    response = client.post(step(queued, "acceptera"), {
        "accept-version": queued.version, "accept-active_pilot": pilot.pk, "accept-passive_pilot": second_pilot.pk,
    })

    assert response.status_code == 403
    assert Order.objects.get(pk=queued.pk).state == OrderState.SENT


def test_unknown_step_is_404_and_get_is_not_allowed(client, case_officer, queued):
    client.force_login(case_officer)

    assert client.post(step(queued, "radera"), {}).status_code == 404
    assert client.get(step(queued, "makulera")).status_code == 405


def test_the_whole_lifecycle_through_the_pages(client, case_officer, pilot, second_pilot, queued):
    client.force_login(pilot)
    client.post(step(queued, "returnera"), {"return-version": 1, "return-question": "Finns det hiss?"})
    client.force_login(case_officer)
    assert "Svara på frågan" in client.get(detail(queued)).content.decode()
    client.post(step(queued, "svara"), {"answer-version": 2, "answer-answer": "Nej."})
    client.force_login(pilot)
    client.post(step(queued, "acceptera"), {
        "accept-version": 3, "accept-active_pilot": pilot.pk, "accept-passive_pilot": second_pilot.pk,
    })
    html = client.get(detail(queued)).content.decode()
    assert "Påbörja arbetet" in html and "Slutför uppdraget" in html
    assert "Utfall" in html and "Avhysning förhindrad" in html, "the outcomes of the kind"
    assert "Mål uppnådda" not in html, "not the outcomes of another kind"
    client.post(step(queued, "paborja"), {"start-version": 4})
    response = client.post(step(queued, "slutfor"), {
        "complete-version": 5, "complete-outcome": OrderOutcome.REPAYMENT_PLAN, "complete-report": "Avbetalningsplan klar.",
    })

    assert response.status_code == 302
    order = Order.objects.get(pk=queued.pk)
    assert (order.state, order.outcome) == (OrderState.COMPLETED, OrderOutcome.REPAYMENT_PLAN)
    assert list(order.events.values_list("transition", flat=True)) == [
        "returned", "answered", "accepted", "started", "completed",
    ]
    client.force_login(case_officer)
    html = client.get(detail(queued)).content.decode()
    assert "Avbetalningsplan klar." in html and "Finns det hiss?" in html and "Nej." in html
    assert "Makulera uppdraget" not in html, "no steps after completion"


def test_case_officer_links_an_outreach_order_to_a_client(client, unit, case_officer, person):
    order = outreach_order(unit, case_officer)
    client.force_login(case_officer)
    assert "Koppla till en klientakt" in client.get(detail(order)).content.decode()

    client.post(step(order, "koppla-klient"), {"link-version": order.version, "link-client": person.pk})

    assert Order.objects.get(pk=order.pk).client == person
    assert "Koppla till en klientakt" not in client.get(detail(order)).content.decode()


def test_link_form_offers_only_the_users_clients(client, unit, other_unit, case_officer):
    order = outreach_order(unit, case_officer)
    stranger = ClientFactory(unit=other_unit)
    client.force_login(case_officer)

    response = client.post(step(order, "koppla-klient"), {"link-version": order.version, "link-client": stranger.pk})

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).client is None


# --- A new order --------------------------------------------------------------------------


def test_new_order_from_the_client_tab_preselects_the_client_and_children(client, unit, case_officer):
    family = ClientFactory(unit=unit, children_in_home=2)
    client.force_login(case_officer)

    response = client.get(CREATE, {"klient": family.pk})

    form = response.context["form"]
    assert form["client"].value() == family.pk
    assert form["risk_children"].value() is True


def test_new_order_is_sent_and_the_unit_told(client, unit, case_officer, pilot, person):
    client.force_login(case_officer)

    response = client.post(CREATE, {
        "kind": OrderKind.EVICTION_PREVENTION, "client": person.pk, "assignment": "Hembesök om skulden.",
        "risk_violence": "on",
    })

    order = Order.objects.get()
    assert response["Location"] == detail(order)
    assert (order.unit, order.ordered_by, order.client, order.state) == (unit, case_officer, person, OrderState.SENT)
    assert order.risk_violence and not order.risk_children
    assert order.first_visit_due_at == order.sent_at + timedelta(hours=48)
    assert pilot.notifications.get().text == f"Nytt uppdrag #{order.pk}: Vräkningsförebyggande"
    assert AccessLogEntry.objects.filter(action=AccessAction.CREATE, object_id=str(order.pk)).exists()


def test_choosing_a_client_with_children_in_the_list_flags_the_risk(client, unit, case_officer):
    family = ClientFactory(unit=unit, children_in_home=1)
    client.force_login(case_officer)

    client.post(CREATE, {"kind": OrderKind.SINGLE_ERRAND, "errand_type": "escort_doctor", "client": family.pk,
                         "assignment": "Följ med."})

    assert Order.objects.get().risk_children


def test_outreach_to_an_unregistered_person(client, case_officer):
    client.force_login(case_officer)

    client.post(CREATE, {"kind": OrderKind.OUTREACH, "subject_name": "Kvinna i 30-årsåldern",
                         "subject_address": "Parken vid stationen", "assignment": "Sök upp."})

    order = Order.objects.get()
    assert order.client is None and order.subject_name == "Kvinna i 30-årsåldern"


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"kind": "eviction_prevention"}, "client", "Välj klient"),
        ({"kind": "outreach"}, "subject_name", "Välj en klient, eller ange"),
        ({"kind": "single_errand", "client": "PERSON"}, "errand_type", "Välj typ av punktinsats"),
        ({"kind": "bolots_support", "client": "PERSON"}, "decision", "beviljat beslut"),
        ({"kind": "bolots_support", "client": "PERSON", "decision": "OTHER_DECISION"}, "decision", "annan klient"),
        ({"kind": "single_errand", "client": "STRANGER", "errand_type": "other"}, "client", "giltigt alternativ"),
    ],
)
def test_new_order_errors_are_shown_beside_the_field(client, unit, other_unit, case_officer, person, data, field, message):
    other_decision = BolotsDecisionFactory(client=ClientFactory(unit=unit))
    stranger = ClientFactory(unit=other_unit)
    values = {"PERSON": person.pk, "OTHER_DECISION": other_decision.pk, "STRANGER": stranger.pk}
    client.force_login(case_officer)

    response = client.post(CREATE, {"assignment": "Gör något.", **{k: values.get(v, v) for k, v in data.items()}})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Order.objects.exists()


def test_bolots_support_follows_the_clients_decision(client, unit, case_officer, person):
    decision = BolotsDecisionFactory(client=person)
    rejected = BolotsDecisionFactory(client=person, outcome="rejected")
    client.force_login(case_officer)

    form = client.get(CREATE, {"klient": person.pk}).context["form"]
    assert list(form.fields["decision"].queryset) == [decision]
    assert rejected not in Decision.objects.granted()

    client.post(CREATE, {"kind": OrderKind.BOLOTS_SUPPORT, "client": person.pk, "decision": decision.pk,
                         "assignment": "Bolotsinsats enligt beslut."})
    assert Order.objects.get().decision == decision


def test_preselecting_a_client_the_user_cannot_see_selects_nothing(client, other_unit, case_officer):
    stranger = ClientFactory(unit=other_unit, first_name="Främling")
    client.force_login(case_officer)

    response = client.get(CREATE, {"klient": stranger.pk})

    assert response.context["form"]["client"].value() is None
    assert "Främling" not in response.content.decode()


# --- The client's tab --------------------------------------------------------------------------


def test_client_tab_lists_the_clients_orders(client, unit, case_officer, person, pilot, second_pilot):
    own = OrderFactory(unit=unit, client=person, ordered_by=case_officer)
    other = OrderFactory(unit=unit, client=ClientFactory(unit=unit), ordered_by=case_officer)
    client.force_login(case_officer)

    html = client.get(reverse("referrals:client_orders", args=[person.pk])).content.decode()

    assert f"#{own.pk}<" in html and f"#{other.pk}<" not in html
    assert f"{CREATE}?klient={person.pk}" in html
    assert 'aria-current="page"' in html


def test_pilot_sees_on_the_client_tab_only_orders_assigned_to_them(client, unit, case_officer, person, pilot, second_pilot):
    assigned = accepted_order(pilot, second_pilot, client=person)
    waiting = OrderFactory(unit=unit, client=person, ordered_by=case_officer)
    client.force_login(pilot)

    html = client.get(reverse("referrals:client_orders", args=[person.pk])).content.decode()

    assert f"#{assigned.pk}<" in html
    assert f"#{waiting.pk}<" not in html, "the queue order would reveal who it is about"


def test_a_pilot_who_was_beaten_to_it_is_told_so(client, unit, pilot, second_pilot, queued):
    third = make_pilot(unit, "bolots3")
    accepted_elsewhere = {"accept-version": queued.version, "accept-active_pilot": pilot.pk,
                          "accept-passive_pilot": second_pilot.pk}
    client.force_login(pilot)
    client.post(step(queued, "acceptera"), accepted_elsewhere)
    client.force_login(third)

    response = client.post(step(queued, "acceptera"), {**accepted_elsewhere, "accept-active_pilot": third.pk}, follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert "Någon annan hann acceptera uppdraget före dig" in response.content.decode()
    assert Order.objects.get(pk=queued.pk).active_pilot == pilot


def test_a_manager_cancels_from_the_page(client, manager, queued):
    client.force_login(manager)
    assert "Makulera uppdraget" in client.get(detail(queued)).content.decode()

    client.post(step(queued, "makulera"), {"cancel-version": queued.version, "cancel-reason": "Dubbelbeställt"})

    assert Order.objects.get(pk=queued.pk).state == OrderState.CANCELLED


def test_queue_puts_the_48_hour_orders_first_by_deadline(client, unit, case_officer, pilot):
    now = timezone.now()
    errand = OrderFactory(unit=unit, ordered_by=case_officer, sent_at=now - timedelta(days=3))
    later = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=now - timedelta(hours=1))
    sooner = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=now - timedelta(hours=20))
    client.force_login(pilot)

    queue = list(client.get(LIST).context["queue"].object_list)

    assert queue == [sooner, later, errand]


def test_a_failed_step_gets_the_error_summary_linking_to_its_field(client, pilot, second_pilot, case_officer, queued):
    # The step forms are in `steps`, not `form`: the view names the failed
    # one in error_summary_forms for base.html's summary (issue 12).
    client.force_login(pilot)
    client.post(step(queued, "returnera"), {"return-version": 1, "return-question": "Finns det hiss?"})
    client.force_login(case_officer)

    html = client.post(step(queued, "svara"), {"answer-version": 2, "answer-answer": ""}).content.decode()

    summary = html[html.index("data-error-summary"):]
    summary = summary[:summary.index("</div>")]
    assert 'href="#id_answer-answer"' in summary
    assert html.count("data-error-summary") == 1
