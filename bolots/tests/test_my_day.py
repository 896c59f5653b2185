""""Min dag" leads with what cannot wait (issue 12 §1 and §2): the unit's
queue without personal data, the 48 hours in words, the kind filter, the
risk flags, and where to go after a move-in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bolots.services import worklist
from referrals.models import OrderKind, OrderState, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order
from tenancies.models import ApartmentKind
from tenancies.tests.factories import ApartmentFactory, moved_in

pytestmark = pytest.mark.django_db

URL = reverse("bolots:my_day")


@pytest.fixture
def colleague(unit):
    return make_pilot(unit, "bolots3")


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_sections_come_in_the_order_of_what_cannot_wait(client, unit, pilot, colleague, case_officer):
    OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=hours_ago(1))
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, sent_at=hours_ago(3))
    accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(24 * 30))

    _, html = page(client, pilot)

    positions = [html.index(f'id="{section}"') for section in ("ko", "nya", "forsenade", "idag", "kommande")]
    assert positions == sorted(positions)


def test_the_queue_shows_kind_wait_and_48_hours_but_no_person_and_reads_no_client(
    client, unit, other_unit, pilot, case_officer
):
    person = ClientFactory(unit=unit, first_name="Köad", last_name="Klientsson", street_address="Kögatan 9")
    waiting = OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.EVICTION_PREVENTION,
                           sent_at=hours_ago(5), risk_violence=True, risk_notes="Hotfull granne, Per Persson")
    late = OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.OUTREACH,
                        sent_at=hours_ago(50))
    OrderFactory(unit=unit, ordered_by=case_officer, client=person, state=OrderState.RETURNED)
    OrderFactory(unit=other_unit, kind=OrderKind.OUTREACH, sent_at=hours_ago(1))

    response, html = page(client, pilot)

    day = response.context["day"]
    assert [order.pk for order in day.queue] == [late.pk, waiting.pk], "the earliest deadline first"
    assert (day.queue_count, day.returned_count) == (2, 1)
    assert "Nya uppdrag att acceptera (2)" in html
    assert "1 uppdrag väntar på handläggarens svar." in html
    queue = html[html.index('id="ko"'):html.index("</section>", html.index('id="ko"'))]
    assert f"Vräkningsförebyggande #{waiting.pk}" in queue
    assert "Väntat 5" in queue and "h kvar" in queue
    assert "Försenat första besök" in queue
    assert 'title="Våld i nära relation"' in queue
    # Nothing that says who: no name, address or the free-text risk note.
    for secret in ("Köad", "Klientsson", "Kögatan", "Per Persson"):
        assert secret not in html
    assert f'href="{reverse("referrals:order_detail", args=[waiting.pk])}#step-accept-heading"' in queue
    # No client was read, so none is logged.
    assert not AccessLogEntry.objects.filter(client_id=person.pk).exists()


def test_the_queue_stops_at_its_most_urgent_and_links_the_whole(client, unit, pilot, case_officer):
    for i in range(worklist.QUEUE_SHOWN + 2):
        OrderFactory(unit=unit, ordered_by=case_officer, sent_at=hours_ago(i + 1))

    response, html = page(client, pilot)

    assert len(response.context["day"].queue) == worklist.QUEUE_SHOWN
    assert response.context["day"].queue_count == worklist.QUEUE_SHOWN + 2
    assert f"De {worklist.QUEUE_SHOWN} mest brådskande visas." in html
    assert reverse("referrals:order_list") in html


def test_the_48_hours_show_the_hours_left_or_late_in_words(client, pilot, colleague):
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, client=None, subject_name="A", sent_at=hours_ago(10.5))
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, client=None, subject_name="B", sent_at=hours_ago(53.5))

    _, html = page(client, pilot)

    assert "Första besök: <strong>37 h kvar</strong>" in html
    late = html[html.index('class="worklist-late deadline-overdue"'):]
    assert late.index("Försenat första besök") < late.index("5 h sent")


def test_the_kind_filter_narrows_every_section_and_keeps_their_order(client, unit, pilot, colleague, case_officer):
    OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=hours_ago(1))
    queued_support = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT)
    outreach = accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, sent_at=hours_ago(3))
    support = accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(24 * 30))

    response, html = page(client, pilot, "?typ=outreach")

    day = response.context["day"]
    assert [entry.order.pk for entry in day.shown] == [outreach.pk]
    assert queued_support.pk not in [order.pk for order in day.queue] and day.queue_count == 1
    assert f'id="uppdrag-{support.pk}"' not in html
    assert '<option value="outreach" selected>' in html
    positions = [html.index(f'id="{section}"') for section in ("ko", "nya", "forsenade", "idag", "kommande")]
    assert positions == sorted(positions)


def test_an_unknown_kind_shows_everything_with_a_message_beside_the_field(client, pilot, colleague):
    accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(24 * 30))

    response, html = page(client, pilot, "?typ=<script>")

    assert response.context["day"].kind == ""
    assert len(response.context["day"].shown) == 1
    assert 'id="typ-error"' in html and "Välj ett giltigt alternativ" in html
    assert "<script>" not in html.split("</header>")[-1]


def test_own_orders_show_the_risk_note_in_the_one_partial(client, pilot, colleague):
    order = accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(24 * 30),
                           risk_children=True, risk_notes="Två hundar, håll dem ute")

    _, html = page(client, pilot)

    entry = html[html.index(f'id="uppdrag-{order.pk}"'):]
    risks = entry[entry.index('class="worklist-risks"'):entry.index("</h3>")]
    assert 'title="Barn i hemmet"' in risks and "Två hundar, håll dem ute" in risks


def test_own_cards_show_the_clients_current_risks_not_what_was_sent(client, pilot, colleague):
    """Risk information follows the client (issue 12 §5): a risk learnt
    after the order was sent shows on the card; the order keeps its copy."""
    order = accepted_order(pilot, colleague, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(24 * 30),
                           client_knows_the_risks=False)
    type(order.client).objects.filter(pk=order.client_id).update(risk_animals=True, risk_notes="Stor hund i hallen")

    _, html = page(client, pilot)

    entry = html[html.index(f'id="uppdrag-{order.pk}"'):]
    risks = entry[entry.index('class="worklist-risks"'):entry.index("</h3>")]
    assert "Stor hund i hallen" in risks and 'title="Djur i hemmet"' in risks
    order.refresh_from_db()
    assert not order.risk_animals


def test_after_a_move_in_the_card_shows_the_apartment(ctx, client, unit, pilot, colleague):
    person = ClientFactory(unit=unit, first_name="Flyttad", last_name="Person", street_address="Gamla vägen 1")
    order = accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(48))
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Träningsgatan 5")
    moved_in(ctx, apartment, person, timezone.localdate())

    _, html = page(client, pilot)

    entry = html[html.index(f'id="uppdrag-{order.pk}"'):]
    entry = entry[:entry.index("</article>")]
    assert "Träningsgatan 5, 186 30" in entry
    assert "Gamla vägen" not in html


def test_a_protected_client_who_moved_in_shows_no_address(ctx, client, unit, pilot, colleague):
    person = ClientFactory(unit=unit, street_address="Gamla vägen 1",
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT, accepted_at=hours_ago(48))
    moved_in(ctx, ApartmentFactory(unit=unit, street_address="Hemliga gränd 7"), person, timezone.localdate())

    response, html = page(client, pilot)

    assert "Hemliga gränd" not in html and "Gamla vägen" not in html
    assert "Adressen är skyddad" in html
    assert [entry.address for entry in response.context["day"].shown] == [None], "never handed to the template"


def test_an_outreach_order_without_a_client_still_shows_the_address_written_on_it(
    client, unit, pilot, colleague, case_officer
):
    outreach_order(unit, case_officer, active_pilot=pilot, passive_pilot=colleague, state=OrderState.ACCEPTED,
                   accepted_at=hours_ago(1), sent_at=hours_ago(2))

    _, html = page(client, pilot)

    assert "Storgatan 7, 186 30 Vallentuna" in html
