"""Issue 12: after a failed save every form page (base.html, for the view's
`form`) starts with an error summary that names each error and links to
its field; a page without errors has none."""

import pytest
from django.urls import reverse

from tenancies.tests.test_apartment_views import form_data

pytestmark = pytest.mark.django_db

CREATE = reverse("tenancies:apartment_create")


def test_a_failed_save_lists_each_error_with_a_link_to_its_field(client, housing_admin):
    client.force_login(housing_admin)

    html = client.post(CREATE, form_data(monthly_cost="sex", rent="fem", street_address="")).content.decode()

    summary = html[html.index("data-error-summary"):]
    summary = summary[:summary.index("</div>")]
    assert 'tabindex="-1"' in html[html.index('class="error-summary"'):][:200]
    assert "Det finns fel i formuläret" in summary
    for field in ("monthly_cost", "rent", "street_address"):
        assert f'href="#id_{field}"' in summary
    assert "Ange ett belopp i kronor" in summary
    assert summary.count("<li>") == 3
    assert "js/error-summary.js" in html


def test_a_form_without_errors_has_no_summary(client, housing_admin):
    client.force_login(housing_admin)

    html = client.get(CREATE).content.decode()

    assert "data-error-summary" not in html
    assert "Det finns fel i formuläret" not in html
