import pytest
from django.urls import path, reverse


def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", boom)]


def test_anonymous_user_is_sent_to_login_from_the_start_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "who, visible, hidden",
    [
        ("case_officer", ["Klienter"], ["Åtkomstlogg"]),
        ("manager", ["Klienter", "Åtkomstlogg"], []),
        ("pilot", ["Klienter"], ["Åtkomstlogg"]),
        ("system_admin", [], ["Klienter", "Åtkomstlogg"]),
        ("housing_admin", [], ["Klienter", "Åtkomstlogg"]),
    ],
)
def test_navigation_shows_each_role_its_own_entries(client, users, who, visible, hidden):
    client.force_login(users[who])

    response = client.get(reverse("home") + "?oversikt=1")

    assert response.status_code == 200
    nav = response.content.decode().split('id="main-nav"')[1].split("</nav>")[0]
    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav


def test_a_bolots_starts_on_my_day(client, pilot):
    client.force_login(pilot)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("bolots:my_day")


@pytest.mark.parametrize("who", ["case_officer", "manager", "housing_admin", "system_admin"])
def test_roles_without_a_start_page_see_the_overview(client, users, who):
    client.force_login(users[who])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert 'id="main-nav"' in response.content.decode()


def test_404_page_is_styled_and_swedish(client, case_officer):
    client.force_login(case_officer)

    response = client.get("/finns-inte/")

    assert response.status_code == 404
    assert "Sidan hittades inte" in response.content.decode()


def test_403_page_is_styled_and_swedish(client, system_admin):
    client.force_login(system_admin)

    response = client.get(reverse("referrals:client_list"))

    assert response.status_code == 403
    assert "Du har inte behörighet till sidan" in response.content.decode()


def test_500_page_shows_no_stack_trace(client, settings, case_officer):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Ett fel uppstod" in html
    assert "Traceback" not in html and "secret internal detail" not in html
