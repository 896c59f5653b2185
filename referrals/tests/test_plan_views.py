"""Individual plan pages: the client's plan tab with its forms, the list of
reviews due, who may reach them, and the access log they write."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from referrals.models import IndividualPlan, PlanAction, PlanGoal
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import PlanFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.fixture
def plan(client_record, case_officer):
    plan = PlanFactory(client=client_record, created_by=case_officer)
    PlanGoal.objects.create(plan=plan, preset="own_housing", text="Eget boende")
    PlanAction.objects.create(plan=plan, description="Söka bostad", responsible="Klienten")
    return plan


def html_of(response):
    return response.content.decode()


# --- The plan tab -------------------------------------------------------------------


def test_create_the_plan_from_the_tab(officer, client_record):
    tab = reverse("referrals:client_plan", args=[client_record.pk])
    assert "Upprätta genomförandeplan" in html_of(officer.get(tab))

    response = officer.post(reverse("referrals:plan_create", args=[client_record.pk]), {"create-established_on": "2025-01-15"})

    assert response["Location"] == tab
    plan = IndividualPlan.objects.get()
    assert plan.next_review_on == date(2025, 4, 15)
    html = html_of(officer.get(tab))
    assert "Eget boende på den ordinarie bostadsmarknaden" in html and "Egen försörjning" in html
    assert "2025-04-15" in html
    actions = list(AccessLogEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AccessAction.VIEW, AccessAction.CREATE, AccessAction.VIEW]


def test_a_second_plan_is_refused_with_a_message(officer, plan, client_record):
    response = officer.post(reverse("referrals:plan_create", args=[client_record.pk]), {"create-established_on": "2025-02-01"})

    assert response.status_code == 200
    assert "Klienten har redan en genomförandeplan." in html_of(response)
    assert IndividualPlan.objects.count() == 1


def test_goals_actions_and_reviews_from_the_tab(officer, plan, client_record):
    tab = reverse("referrals:client_plan", args=[client_record.pk])
    goal = plan.goals.get()
    action = plan.actions.get()

    assert officer.post(reverse("referrals:plan_goal_add", args=[plan.pk]), {"goal-text": "Skuldfri"})["Location"] == tab
    officer.post(reverse("referrals:plan_action_add", args=[plan.pk]), {
        "action-description": "Budgetrådgivning", "action-responsible": "Bolots", "action-due_on": "2025-03-01",
    })
    officer.post(reverse("referrals:plan_goal_achieved", args=[plan.pk, goal.pk]), {f"goal-{goal.pk}-achieved_on": "2025-05-01"})
    officer.post(reverse("referrals:plan_action_done", args=[plan.pk, action.pk]), {f"action-{action.pk}-done_on": "2025-02-01"})
    officer.post(reverse("referrals:plan_review_add", args=[plan.pk]), {"review-reviewed_on": "2025-04-10", "review-notes": "Bra"})

    plan.refresh_from_db()
    goal.refresh_from_db()
    action.refresh_from_db()
    assert list(plan.goals.values_list("text", flat=True)) == ["Eget boende", "Skuldfri"]
    assert plan.actions.get(description="Budgetrådgivning").due_on == date(2025, 3, 1)
    assert (goal.achieved_on, action.done_on) == (date(2025, 5, 1), date(2025, 2, 1))
    assert plan.next_review_on == date(2025, 7, 10)
    assert AccessLogEntry.objects.filter(action=AccessAction.CREATE).count() == 3  # goal, action, review
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE).count() == 3  # achieved, done, next review
    html = html_of(officer.get(tab))
    assert "Senaste uppföljning 2025-04-10" in html and "Bra" in html
    reviews = html_of(officer.get(reverse("referrals:plan_review_list", args=[plan.pk])))
    assert "2025-04-10" in reviews and "Bra" in reviews


def test_a_refused_row_date_is_shown_beside_the_row(officer, plan):
    goal = plan.goals.get()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = officer.post(
        reverse("referrals:plan_goal_achieved", args=[plan.pk, goal.pk]), {f"goal-{goal.pk}-achieved_on": future}
    )

    html = html_of(response)
    assert response.status_code == 200
    assert "Datumet kan inte ligga i framtiden." in html
    assert f'value="{future}"' in html
    assert f'aria-describedby="id_goal-{goal.pk}-achieved_on_error"' in html
    goal.refresh_from_db()
    assert goal.achieved_on is None


def test_items_of_another_plan_are_404(officer, plan, unit):
    other_plan = PlanFactory(client=ClientFactory(unit=unit))
    other_goal = PlanGoal.objects.create(plan=other_plan, text="Annat mål")

    response = officer.post(
        reverse("referrals:plan_goal_achieved", args=[plan.pk, other_goal.pk]), {f"goal-{other_goal.pk}-achieved_on": "2025-02-01"}
    )

    assert response.status_code == 404


def test_overdue_review_is_marked_with_text(officer, client_record, case_officer):
    PlanFactory(client=client_record, next_review_on=timezone.localdate() - timedelta(days=1))

    html = html_of(officer.get(reverse("referrals:client_plan", args=[client_record.pk])))

    assert "Försenad" in html


def test_plan_tab_query_count_does_not_grow(officer, plan, client_record, case_officer, django_assert_num_queries):
    url = reverse("referrals:client_plan", args=[client_record.pk])
    officer.get(url)
    with django_assert_num_queries(7) as first:
        officer.get(url)
    for n in range(6):
        PlanGoal.objects.create(plan=plan, text=f"Mål {n}")
        PlanAction.objects.create(plan=plan, description=f"Åtgärd {n}", responsible="Bolots")
    with django_assert_num_queries(len(first)):
        officer.get(url)


# --- Reviews due ----------------------------------------------------------------------


def test_reviews_due_list(client, case_officer, manager, unit):
    today = timezone.localdate()
    mine = PlanFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Minsann"),
                       next_review_on=today - timedelta(days=5))
    soon = PlanFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Snartsson"),
                       next_review_on=today + timedelta(days=4))
    theirs = PlanFactory(client=ClientFactory(unit=unit, first_name="Kollegasdotter"), next_review_on=today)

    client.force_login(case_officer)
    html = html_of(client.get(reverse("referrals:plan_reviews_due")))
    assert "Minsann" in html and "Snartsson" in html and "Kollegasdotter" not in html
    assert "Försenad" in html and "5 dagar sen" in html and "Om 4 dagar" in html
    assert html.index("Minsann") < html.index("Snartsson")

    client.force_login(manager)
    html = html_of(client.get(reverse("referrals:plan_reviews_due")))
    assert all(plan.client.first_name in html for plan in (mine, soon, theirs))
    assert "Ska göras i dag" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_reviews_due_query_count_is_fixed(client, manager, unit, django_assert_num_queries, rows):
    today = timezone.localdate()
    for n in range(rows):
        PlanFactory(client=ClientFactory(unit=unit), next_review_on=today - timedelta(days=n))
    client.force_login(manager)
    # Base page ~8 queries + count + page of rows.
    with django_assert_num_queries(11):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(reverse("referrals:plan_reviews_due"))
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


# --- Who may reach what -----------------------------------------------------------------

URLS = {
    "client_plan": ("get", "client"),
    "plan_reviews_due": ("get", None),
    "plan_review_list": ("get", "plan"),
    "plan_create": ("post", "client"),
    "plan_goal_add": ("post", "plan"),
    "plan_action_add": ("post", "plan"),
    "plan_review_add": ("post", "plan"),
    "plan_goal_achieved": ("post", "goal"),
    "plan_action_done": ("post", "action"),
}
READ = {"client_plan", "plan_reviews_due", "plan_review_list"}
FORBIDDEN = dict.fromkeys(URLS, 403)
EXPECTED = {
    # An empty form is refused and the page shown again: 200.
    "case_officer": dict.fromkeys(URLS, 200),
    "manager": {name: 200 if name in READ else 403 for name in URLS},
    "pilot": FORBIDDEN,
    "second_pilot": FORBIDDEN,
    "housing_admin": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "outside_officer": {name: 200 if name == "plan_reviews_due" else 404 for name in URLS},
}


def request(client, name, plan):
    method, about = URLS[name]
    args = {
        "client": [plan.client_id],
        "plan": [plan.pk],
        "goal": [plan.pk, plan.goals.get().pk],
        "action": [plan.pk, plan.actions.get().pk],
        None: [],
    }[about]
    return getattr(client, method)(reverse(f"referrals:{name}", args=args))


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_login(client, plan, name):
    response = request(client, name, plan)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(URLS))
def test_status_per_role(client, users, plan, who, name):
    client.force_login(users[who])

    assert request(client, name, plan).status_code == EXPECTED[who][name]
