"""Every read of client data is logged (issue 10 §4), as a property.

Walk every page of the project (walk.ROUTES, the admin included) as every
user of the world (every role, outsiders of the other unit, a bolots with
nothing assigned, a manager without the protected-data permission,
anonymous). For every response that contains a client's name or identity
number (with and without century and dash), the access log must have a row
for that user and that client written by that very request.
"""

import re

import pytest

from audit.models import AccessLogEntry

from .walk import walk


def identity_formats(digits):
    """The ways a 12-digit identity number appears on a page."""
    short = digits[2:]
    return {digits, f"{digits[:8]}-{digits[8:]}", short, f"{short[:6]}-{short[6:]}", f"{short[:6]}+{short[6:]}"}


def client_matcher(clients):
    """A regex that finds any client of the world in a text, and the
    client id each alternative stands for."""
    owner = {}
    for client in clients:
        owner[client["last_name"]] = client["pk"]
        # A person without a Swedish number (issue 13) has "": found by name only.
        for text in identity_formats(client["personal_number"]) if client["personal_number"] else ():
            owner[text] = client["pk"]
    # Longest first, so that a 12-digit number is not taken for its 10-digit tail.
    alternatives = sorted(owner, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])")
    return pattern, owner


def clients_in(body, matcher):
    pattern, owner = matcher
    return {owner[match] for match in pattern.findall(body)}


def unlogged_reads(world):
    """[(user key, URL name, path, client id)] for every client shown
    without a log row from that request; and the number of requests."""
    matcher = client_matcher(world.clients)
    users = {"anonymous": None, **world.users}
    found, requests = [], 0
    last = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for visit in walk(world, users):
        requests += 1
        assert visit.status < 500, f"{visit.user_key} {visit.path}: {visit.status}"
        shown = clients_in(visit.body, matcher)
        rows = AccessLogEntry.objects.filter(pk__gt=last)
        if shown:
            user = users[visit.user_key]
            logged = set(rows.filter(user=user).values_list("client_id", flat=True)) if user else set()
            found.extend((visit.user_key, visit.url_name, visit.path, pk) for pk in sorted(shown - logged))
        last = rows.order_by("-pk").values_list("pk", flat=True).first() or last
    return found, requests


@pytest.mark.django_db
def test_every_client_shown_has_a_log_row_from_that_request(world, capsys):
    found, requests = unlogged_reads(world)
    with capsys.disabled():
        print(f"\nwalked {requests} requests (pages x roles); unlogged client reads: {len(found)}")
    pages = sorted({(user, name) for user, name, _path, _pk in found})
    assert found == [], f"{len(found)} unlogged reads on {len(pages)} pages: {pages[:40]}"


def test_the_matcher_ignores_an_empty_number():
    pattern, owner = client_matcher([{"pk": 8, "last_name": "Utannummer", "personal_number": ""}])

    assert set(owner) == {"Utannummer"}
    assert pattern.findall("Saknar svenskt nummer - login") == []


def test_the_matcher_finds_every_format():
    clients = [{"pk": 7, "last_name": "WalkanderAB", "personal_number": "198503142382"}]
    matcher = client_matcher(clients)
    for text in ("Anna WalkanderAB", "19850314-2382", "850314-2382", "8503142382", "198503142382"):
        assert clients_in(f"<td>{text}</td>", matcher) == {7}, text
    assert clients_in("WalkanderABC 1985031423829", matcher) == set()


@pytest.mark.django_db
def test_the_world_refuses_a_client_named_like_a_user():
    # A client sharing a surname with a staff member would be "found" in
    # every page header naming that member: the walk would report reads
    # that never happened (a Faker surname did so on some days).
    from accounts.models import User

    from .world import _assert_names_tell_clients_apart

    User.objects.create(username="fiktiv.anstalld", first_name="Helena", last_name="Jakobsson")

    with pytest.raises(AssertionError, match="Jakobsson"):
        _assert_names_tell_clients_apart([{"last_name": "Jakobsson"}])
    _assert_names_tell_clients_apart([{"last_name": "WalkanderAA"}])
