"""Issue 12: after a failed save every form page (base.html, for the view's
`form`) starts with an error summary that names each error and links to
its field; a page without errors has none."""

import pytest
from django.forms import Form, IntegerField
from django.template import Context
from django.test import RequestFactory
from django.urls import reverse

from core.templatetags.ui import forms_with_errors
from tenancies.tests.test_apartment_views import form_data
from tenancies.tests.test_tenancy_pages import move_out
from tenancies.tests.test_tenancy_pages import officer as officer  # noqa: F401 (fixture)
from tenancies.tests.test_tenancy_pages import tenancy as tenancy  # noqa: F401 (fixture)

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


# --- Forms not called `form` (issue 12, leftovers) ------------------------------------



def summary_of(html):
    summary = html[html.index("data-error-summary"):]
    return summary[:summary.index("</div>")]


def test_a_failed_move_out_on_the_tenancy_page_gets_the_summary_linking_to_its_field(officer, tenancy):
    # The tenancy page's forms are move_out_form, insurance_form and
    # income_form: before, base.html looked only at `form` and the page had
    # its own box that repeated the errors without links.
    html = move_out(officer, tenancy, end_reason="").content.decode()

    summary = summary_of(html)
    assert 'href="#id_move_out-end_reason"' in summary
    assert summary.count("<li>") == 1
    assert html.count("data-error-summary") == 1
    assert "Formuläret innehåller fel" not in html  # the old box is gone
    # The field keeps its own message beside it.
    assert 'id="id_move_out-end_reason"' in html and "is-invalid" in html


class Small(Form):
    count = IntegerField()


def context_for(method, **values):
    request = getattr(RequestFactory(), method.lower())("/")
    return Context({"request": request, **values})


def test_on_a_post_every_bound_form_with_errors_is_summarised_once():
    first, second, fine = Small({"count": "x"}, prefix="a"), Small({}, prefix="b"), Small({"count": "1"})

    found = forms_with_errors(context_for("POST", form=first, other_form=second, ok_form=fine, again=first))

    assert [[field.name for field in entry["fields"]] for entry in found] == [["count"], ["count"]]
    assert [entry["fields"][0].auto_id for entry in found] == ["id_a-count", "id_b-count"]


def test_on_a_get_only_the_views_form_counts():
    # A filter form bound to the query string is not a failed save.
    found = forms_with_errors(context_for("GET", filter_form=Small({"count": "x"})))

    assert found == []
    assert len(forms_with_errors(context_for("GET", form=Small({"count": "x"})))) == 1


def test_an_unbound_form_is_no_error():
    assert forms_with_errors(context_for("POST", form=Small(), other=Small(prefix="o"))) == []
