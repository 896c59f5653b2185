"""Lower apps name nothing of higher ones (docs/architecture.md, "Layers").

The first test scans the project; the others feed the checker small
violating snippets, so that a checker that finds nothing cannot pass
unnoticed."""

from pathlib import Path

import pytest

from .layers import Names, project_violations, python_violations, template_violations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def names() -> Names:
    return Names.from_project()


def test_no_app_names_a_higher_one(names):
    violations = project_violations(ROOT, names)

    assert violations == [], "\n" + "\n".join(str(violation) for violation in violations)


def lines(violations):
    return [(violation.path, violation.line) for violation in violations]


def test_an_import_of_a_higher_app_is_found_even_inside_a_function(names):
    source = "import datetime\n\nfrom referrals.models import Client\n\n\ndef f():\n    from bolots.models import Visit\n    import reports.kpis\n"

    found = python_violations(source, "tenancies/views.py", "tenancies", names)

    assert lines(found) == [("tenancies/views.py", 7), ("tenancies/views.py", 8)]
    assert "tenancies names bolots: from bolots.models import …" in str(found[0])


def test_nothing_but_demo_may_import_demo(names):
    source = "from demo import generate\n"

    assert lines(python_violations(source, "config/urls.py", "config", names)) == [("config/urls.py", 1)]
    assert lines(python_violations(source, "reports/views.py", "reports", names)) == [("reports/views.py", 1)]
    assert python_violations("from reports.kpis import engine\n", "demo/run.py", "demo", names) == []


def test_get_model_url_names_permissions_and_models_as_strings_are_found(names):
    source = (
        "def f(apps, user):\n"
        "    apps.get_model('bolots', 'Visit')\n"
        "    reverse('bolots:my_day')\n"
        "    user.has_perm('bolots.view_visit')\n"
        "    ForeignKey('bolots.Visit', on_delete=CASCADE)\n"
        "    reverse('referrals:client_list')\n"
        "    user.has_perm('referrals.view_client')\n"
    )

    found = python_violations(source, "referrals/services/x.py", "referrals", names)

    assert [violation.line for violation in found] == [2, 3, 4, 5]


def test_a_data_migration_may_not_fetch_a_higher_apps_model(names):
    source = "def forwards(apps, schema_editor):\n    Visit = apps.get_model('bolots', 'Visit')\n"

    found = python_violations(source, "tenancies/migrations/0009_x.py", "tenancies", names)

    assert lines(found) == [("tenancies/migrations/0009_x.py", 2)]


def test_a_clean_module_and_template_pass(names):
    source = "from core.dates import x\nfrom referrals.models import Client\nreverse('tenancies:apartment_list')\n"
    text = "{% url 'referrals:client_list' %}{% if perms.tenancies.view_apartment %}{% endif %}"

    assert python_violations(source, "tenancies/views.py", "tenancies", names) == []
    assert template_violations(text, "templates/tenancies/x.html", "tenancies", names) == []


def test_a_template_naming_a_higher_app_is_found(names):
    text = (
        '{% extends "base.html" %}\n'
        "{% url 'referrals:client_list' %}\n"
        "{% if perms.bolots.view_visit %}<a href=\"{% url 'bolots:my_day' %}\">x</a>{% endif %}\n"
        '{% include "bolots/includes/card.html" %}\n'
    )

    found = template_violations(text, "templates/referrals/x.html", "referrals", names)

    assert sorted(str(violation) for violation in found) == [
        "templates/referrals/x.html:3: referrals names bolots: perms.bolots",
        "templates/referrals/x.html:3: referrals names bolots: url bolots:…",
        "templates/referrals/x.html:4: referrals names bolots: template bolots/…",
    ]
