"""Every form view of the project under hostile input (config/tests/fuzz.py):
huge and impossible dates, 1e309, NaN, negative numbers, 100 000-character
strings, NUL bytes, formula strings, lists where one value belongs, unknown
choices, a missing version. No request may end in a server error, and a
refused form may not have written anything.

The figures (forms × requests, server errors) are printed for the issue's
closing note: `pytest config/tests/test_fuzz.py -s`."""

from datetime import date

import pytest
from django.test import Client as HttpClient

from config.tests import fuzz

pytestmark = pytest.mark.django_db


def test_no_form_view_gives_a_server_error_or_half_saves(unit, users, settings):
    # The PDF and e-mail side effects are not what is fuzzed here.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fuzz.seed(unit, users)
    roles = {name: users[name] for name in ("case_officer", "pilot", "housing_admin", "manager", "system_admin")}
    client = HttpClient(raise_request_exception=True)

    report = fuzz.fuzz(client, roles, date.today().year)

    names = sorted({target.name for target in report.targets})
    print(f"\nfuzz: {len(names)} form views, {report.requests} requests, "
          f"{len(report.server_errors)} server errors, {len(report.half_saved)} half-saved")
    print("fuzz: views:", ", ".join(names))
    assert len(names) >= 25, names
    assert report.server_errors == []
    assert report.half_saved == []
