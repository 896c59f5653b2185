"""A form fuzzer: every form view of the project, found by walking the URL
patterns, gets hostile values per field type as a user of a role that may
use it. Used by config/tests/test_fuzz.py, which asserts no server error and
nothing half-saved.

Finding the views without a list to keep up to date: every seeded record has
the same primary key (SEED_PK), so every `<int:...>` of every pattern can be
filled with it; each pattern is opened (GET) as each role in turn, and the
first role that gets a page with a form posting back to the same URL is the
one that fuzzes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from django import forms
from django.apps import apps
from django.urls import reverse

from config.tests.posting import is_lock_field, post_data, without_lock
from core.tests.urlwalk import project_patterns

SEED_PK = 7001
LONG = "Å" * 20_000  # beyond every max_length; larger only slows the run

COMMON = ["", LONG, "a\x00b", ["=cmd|'/C calc'!A0", "b"]]
BY_TYPE = {
    "date": ["9999-12-31", "0000-00-00", "1e309", "2024-02-30"],
    "datetime": ["9999-12-31T23:59", "0000-00-00T00:00", "1e309", "-1"],
    "time": ["25:61", "-1", "1e309"],
    "number": ["1e309", "NaN", "-inf", "-1", "9" * 400, "1e-999999"],
    "choice": ["not-a-choice", "99999999999999999999"],
    "model": ["99999999999999999999", "-1", "abc"],
    "boolean": ["maybe", "1e309"],
    "text": [],
}


def field_kind(field):
    if isinstance(field, forms.DateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TimeField):
        return "time"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
        return "model"
    if isinstance(field, forms.ChoiceField | forms.MultipleChoiceField):
        return "choice"
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return "boolean"
    if isinstance(field, forms.FileField):
        return "file"
    return "text"


def hostile_values(field):
    kind = field_kind(field)
    if kind == "file":
        return []
    return BY_TYPE[kind] + COMMON


def forms_in(response):
    found = []
    if response.context is None:
        return found
    for key in response.context.keys():
        try:
            value = response.context[key]
        except KeyError:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, forms.BaseForm) and item not in found:
                found.append(item)
    return found


_FORM = re.compile(r"<form\b[^>]*>", re.I)


def posts_back(html, url):
    """The page has a POST form whose action is the page itself."""
    for tag in _FORM.findall(html):
        if not re.search(r'method=["\']?post', tag, re.I):
            continue
        action = re.search(r'action=["\']([^"\']*)["\']', tag)
        if action is None or action.group(1) in ("", url):
            return True
    return False


def fill(route, year):
    kwargs = {}
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        if name == "year":
            kwargs[name] = year
        elif name == "quarter":
            kwargs[name] = 1
        elif converter == "int":
            kwargs[name] = SEED_PK
        else:
            return None  # slugs and keys: listed explicitly in EXTRA_KWARGS
    return kwargs


# Patterns with a text argument: the values that open a form.
EXTRA_KWARGS = {
    "referrals:order_step": [{"pk": SEED_PK, "step": step}
                             for step in ("accept", "return", "answer", "start", "complete", "cancel", "link")],
}


@dataclass
class Target:
    name: str
    url: str
    role: str
    forms: list
    data: dict


@dataclass
class Report:
    targets: list = field(default_factory=list)
    requests: int = 0
    server_errors: list = field(default_factory=list)
    half_saved: list = field(default_factory=list)


def discover(client, users, year):
    """(name, url, role, forms, baseline data) of every form view."""
    targets = []
    for route, name, _pattern in project_patterns():
        candidates = EXTRA_KWARGS.get(name) or [fill(route, year)]
        for kwargs in candidates:
            if kwargs is None:
                continue
            url = reverse(name, kwargs=kwargs)
            for role, user in users.items():
                client.force_login(user)
                response = client.get(url)
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                found = forms_in(response)
                if found and posts_back(response.content.decode(), url):
                    data = {}
                    for form in found:
                        data.update(post_data(form))
                    targets.append(Target(name, url, role, found, data))
                    break
    return targets


def project_counts():
    """Rows per project table, the log's tables excepted (a refused form
    may log that the page was shown again); one query for all tables, as it
    runs after every request."""
    from django.db import connection

    tables = sorted({
        model._meta.db_table for model in apps.get_models()
        if model._meta.app_label in ("referrals", "tenancies", "bolots", "reports", "accounts")
        and not model._meta.proxy and model._meta.managed
    })
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def refused(response):
    return response.status_code == 200 and any(form.errors for form in forms_in(response))


def fuzz(client, users, year, log=print):
    report = Report()
    report.targets = discover(client, users, year)
    for target in report.targets:
        client.force_login(users[target.role])
        cases = []
        for form in target.forms:
            for bound in form:
                for value in hostile_values(bound.field):
                    cases.append((bound.html_name, value))
        lock = [name for name in target.data if is_lock_field(name)]
        counts = project_counts()
        for case_name, value in cases + [("*missing version*", None)] * bool(lock) + [("*empty*", None)]:
            if case_name == "*missing version*":
                data = without_lock(target.data)
            elif case_name == "*empty*":
                data = {}
            else:
                data = {**target.data, case_name: value}
            report.requests += 1
            try:
                response = client.post(target.url, data)
            except Exception as error:  # noqa: BLE001 - what the fuzzer looks for
                report.server_errors.append((target.name, case_name, repr(value)[:60], repr(error)[:300]))
                log(f"fuzz: 500 {target.name} {case_name}={repr(value)[:40]}: {repr(error)[:200]}")
                counts = project_counts()
                continue
            if response.status_code >= 500:
                report.server_errors.append((target.name, case_name, repr(value)[:60], response.status_code))
            else:
                now = project_counts()
                if refused(response) and now != counts:
                    report.half_saved.append((target.name, case_name, repr(value)[:60]))
                counts = now
    return report


def seed(unit, users):
    """One record of every kind the form views need, all with SEED_PK."""
    from bolots.models import CourseRound, CourseSession, HousingApplication, QueueRegistration
    from bolots.models.courses import DEFAULT_SESSION_TOPICS
    from referrals.models import Client, ConcernReport, Decision, EvictionNotice
    from referrals.tests.factories import ClientFactory
    from referrals.tests.factories_notices import ConcernReportFactory, EvictionNoticeFactory
    from referrals.tests.factories_orders import accepted_order
    from reports.models import EnforcementFigures
    from tenancies.models import ApartmentStatus, Complaint, HomeInsurance, IncomeSource, KeySet
    from tenancies.tests.factories import ApartmentFactory, KeySetFactory, TenancyFactory, granted_decision

    officer, pilot, passive = users["case_officer"], users["pilot"], users["second_pilot"]
    client = ClientFactory(id=SEED_PK, unit=unit, responsible_officer=officer)
    granted_decision(client, id=SEED_PK, decided_by=officer)
    accepted_order(pilot, passive, id=SEED_PK, client=client)
    apartment = ApartmentFactory(id=SEED_PK, unit=unit, status=ApartmentStatus.OCCUPIED)
    tenancy = TenancyFactory(id=SEED_PK, apartment=apartment, client=client, start_date=date(2023, 1, 1),
                             created_by=officer)
    KeySetFactory(id=SEED_PK, apartment=apartment)
    IncomeSource.objects.create(id=SEED_PK, tenancy=tenancy, kind="salary", valid_from=date(2023, 1, 1))
    HomeInsurance.objects.create(id=SEED_PK, tenancy=tenancy, company="Fiktiva Försäkringar AB",
                                 policy_number="HF-1", valid_from=date(2023, 1, 1), valid_until=date(2027, 1, 1))
    EvictionNoticeFactory(id=SEED_PK, unit=unit, registered_by=officer)
    ConcernReportFactory(id=SEED_PK, unit=unit, registered_by=officer)
    course_round = CourseRound.objects.create(id=SEED_PK, unit=unit, starts_on=date(2026, 3, 2), place="Träffpunkten",
                                              capacity=6)
    course_round.leaders.set([pilot])
    CourseSession.objects.bulk_create([
        CourseSession(round=course_round, number=i + 1, held_on=date(2026, 3, 2 + 7 * i), starts_at=time(13),
                      topic=str(topic)) for i, topic in enumerate(DEFAULT_SESSION_TOPICS)
    ])
    QueueRegistration.objects.create(id=SEED_PK, client=client, queue="Bostadsförmedlingen",
                                     registered_since=date(2024, 1, 1))
    HousingApplication.objects.create(id=SEED_PK, client=client, where="Fiktiva Bostäder, Ryd",
                                      applied_on=date(2026, 2, 1))
    EnforcementFigures.objects.create(id=SEED_PK, municipality=unit.municipality, year=2024,
                                      eviction_applications=6, executed_evictions=3, children_affected=0,
                                      entered_by=users["manager"])
    return {"client": client, "tenancy": tenancy, "models": (Client, Decision, EvictionNotice, ConcernReport,
                                                            Complaint, KeySet)}
