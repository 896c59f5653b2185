"""The walker knows every page: a URL added without a route fails here, so
that config/tests/test_every_read_logged.py walks it too."""

from .walk import ROUTES, missing_routes, url_names


def test_every_url_name_has_a_route():
    assert missing_routes() == []


def test_no_route_names_a_url_that_no_longer_exists():
    assert sorted(set(ROUTES) - set(url_names())) == []
