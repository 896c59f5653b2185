"""Walk every page of the project as every user of the world (world.py).

ROUTES says, for each URL name, which keyword arguments to reverse it with,
taken from the world's objects: a list, because some pages are worth seeing
for more than one record (a client of the user's own unit and one of the
other unit). The admin's URLs are filled generically (`_admin_kwargs`).
`missing_routes()` lists the URL names of the project that have no route:
config/tests/test_walk_table.py fails on any, so a new page is walked as
soon as it exists.

`walk(world, users)` logs each user in and GETs every page; it yields a
Visit (user key, URL name, path, status, body) after each request, so the
caller can read what that request wrote before the next one runs.
"""

from dataclasses import dataclass

from django.apps import apps
from django.test import Client as TestClient
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from reports.kpis.records import RECORD_LISTS


def _o(name, attr="pk"):
    return lambda w: getattr(w.objects[name], attr)


def _pk(name):
    return lambda w: [{"pk": w.objects[name].pk}]


def _both_clients(key="pk"):
    return lambda w: [{key: w.objects["client"].pk}, {key: w.objects["other_client"].pk}]


def _none(w):
    return [{}]


def _year(w):
    return [{"year": w.objects["year"]}]


def _ivo_individual(w):
    return [
        {"year": w.objects["year"], "quarter": quarter, "subject": subject, "decision_id": w.objects["decision"].pk}
        for quarter in (1, 2, 3, 4)
        for subject in ("beslut", "avbrott")
    ]


ROUTES = {
    "home": _none,
    "healthz": _none,
    "healthz_status": _none,
    "operations_status": _none,
    # The operations pages (accounts.operations, issue 16 §4).
    "operations:index": _none,
    "operations:jobs": _none,
    "accounts:login": _none,
    "accounts:logout": _none,  # GET shows nothing (logout is a POST)
    "accounts:notifications": _none,
    # Drafts and the session keep-alive (accounts.drafts): POST-only JSON.
    "accounts:draft_save": _none,
    "accounts:draft_discard": _none,
    "accounts:session_keepalive": _none,
    "referrals:client_list": _none,
    "referrals:client_search": _none,  # the header search: POST only, a GET is refused (405)
    "referrals:client_create": _none,
    "referrals:client_detail": _both_clients(),
    "referrals:client_edit": _both_clients(),
    "referrals:client_risk_edit": _both_clients(),
    "referrals:client_risk_history": _both_clients(),
    "referrals:client_decisions": _both_clients(),
    "referrals:decision_create": _both_clients(),
    "referrals:decision_package_create": _both_clients(),
    "referrals:decision_waiting_list": _none,
    "referrals:decision_detail": _pk("decision"),
    "referrals:decision_history": _pk("decision"),
    "referrals:decision_edit": _pk("decision"),
    "referrals:decision_execute": _pk("decision"),
    "referrals:decision_interrupt": _pk("decision"),
    "referrals:decision_resume": lambda w: [{"pk": w.objects["decision"].pk, "interruption_pk": w.objects["interruption"].pk}],
    "referrals:decision_close": _pk("decision"),
    "referrals:decision_offer_add": _pk("decision"),
    "referrals:decision_offer_edit": lambda w: [{"pk": w.objects["decision"].pk, "offer_pk": w.objects["offer"].pk}],
    "referrals:decision_ivo_details": _pk("decision"),
    "referrals:decision_delay_reason": _pk("decision"),
    "referrals:decision_annul": _pk("decision"),
    "referrals:client_plan": _both_clients(),
    "referrals:plan_create": _pk("client"),
    "referrals:plan_reviews_due": _none,
    "referrals:plan_goal_add": _pk("plan"),
    "referrals:plan_goal_achieved": lambda w: [{"pk": w.objects["plan"].pk, "goal_pk": w.objects["goal"].pk}],
    "referrals:plan_action_add": _pk("plan"),
    "referrals:plan_action_done": lambda w: [{"pk": w.objects["plan"].pk, "action_pk": w.objects["action"].pk}],
    "referrals:plan_review_add": _pk("plan"),
    "referrals:plan_review_list": _pk("plan"),
    "referrals:ivo_report": lambda w: [{}, {"year": w.objects["year"], "quarter": 4}],
    "referrals:ivo_report_csv": lambda w: [{"year": w.objects["year"], "quarter": 4}],
    "referrals:ivo_report_pdf": lambda w: [{"year": w.objects["year"], "quarter": 4}],
    # The world's decision in each quarter of the year: in whichever quarter
    # it is reported, the screen and its files are walked (404 in the others).
    "referrals:ivo_individual_report": lambda w: _ivo_individual(w),
    "referrals:ivo_individual_report_csv": lambda w: _ivo_individual(w),
    "referrals:ivo_individual_report_pdf": lambda w: _ivo_individual(w),
    "referrals:ivo_statistics": _year,
    "referrals:ivo_statistics_csv": _year,
    "referrals:ivo_statistics_pdf": _year,
    "referrals:order_list": _none,
    "referrals:order_create": _none,
    "referrals:order_detail": _pk("order"),
    "referrals:order_step": lambda w: [{"pk": w.objects["order"].pk, "step": "slutfor"}],
    "referrals:client_orders": _both_clients(),
    "referrals:reassign": _none,
    "referrals:reassign_pilot": _none,
    "referrals:reassignment_list": _none,
    "referrals:notice_list": _none,
    "referrals:notice_create": _none,
    "referrals:notice_detail": _pk("notice"),
    "referrals:notice_edit": _pk("notice"),
    "referrals:notice_contact": _pk("notice"),
    "referrals:notice_outcome": _pk("notice"),
    "referrals:notice_create_order": _pk("notice"),
    "referrals:client_notices": _both_clients(),
    "referrals:concern_list": _none,
    "referrals:concern_create": _none,
    "referrals:concern_detail": _pk("concern"),
    "referrals:concern_edit": _pk("concern"),
    "referrals:concern_create_order": _pk("concern"),
    "tenancies:apartment_list": _none,
    "tenancies:apartment_vacant_list": _none,
    "tenancies:apartment_create": _none,
    "tenancies:apartment_detail": _pk("apartment"),
    "tenancies:apartment_edit": _pk("apartment"),
    "tenancies:apartment_history": _pk("apartment"),
    "tenancies:keys_create": _pk("apartment"),
    "tenancies:keys_edit": _pk("keys"),
    "tenancies:keys_delete": _pk("keys"),
    "tenancies:complaint_create": _pk("apartment"),
    "tenancies:complaint_action": _pk("complaint"),
    "tenancies:client_tenancies": _both_clients(),
    "tenancies:tenancy_move_in": _pk("client"),
    "tenancies:apartment_move_in": lambda w: [{"pk": w.objects["vacant_apartment"].pk},
                                              {"pk": w.objects["apartment"].pk}],
    "tenancies:tenancy_link_decision": _pk("tenancy"),
    "tenancies:list_entries": _none,
    "tenancies:list_entry_add": lambda w: [{"kind": "omraden"}],
    "tenancies:list_entry_edit": lambda w: [{"kind": "omraden", "pk": w.objects["area"].pk}],
    "tenancies:list_entry_delete": lambda w: [{"kind": "omraden", "pk": w.objects["area"].pk}],
    "tenancies:tenancy_detail": _pk("tenancy"),
    "tenancies:tenancy_move_out": _pk("tenancy"),
    "tenancies:tenancy_internal_move": _pk("tenancy"),
    "tenancies:tenancy_terms": _pk("tenancy"),
    "tenancies:tenancy_insurance_add": _pk("tenancy"),
    "tenancies:tenancy_insurance_edit": lambda w: [{"pk": w.objects["tenancy"].pk, "insurance_pk": w.objects["insurance"].pk}],
    "tenancies:tenancy_income_add": _pk("tenancy"),
    "tenancies:tenancy_income_edit": lambda w: [{"pk": w.objects["tenancy"].pk, "income_pk": w.objects["income"].pk}],
    "tenancies:tenancy_income_end": lambda w: [{"pk": w.objects["tenancy"].pk, "income_pk": w.objects["income"].pk}],
    "tenancies:import_register": _none,
    "tenancies:import_template": _none,
    "tenancies:import_result": _none,
    "bolots:my_day": _none,
    "bolots:unit_overview": _none,
    "bolots:order_frequency": lambda w: [{"order_id": w.objects["order"].pk}],
    "bolots:order_visits": lambda w: [{"order_id": w.objects["order"].pk}],
    "bolots:visit_create": lambda w: [{"order_id": w.objects["order"].pk}],
    "bolots:visit_detail": _pk("visit"),
    "bolots:visit_annul": _pk("visit"),
    "bolots:visit_edit": _pk("visit"),
    "bolots:client_visits": _both_clients(),
    "bolots:signal_list": _none,
    "bolots:signal_acknowledge": _pk("signal"),
    "bolots:housing_search": _both_clients("client_id"),
    "bolots:housing_search_edit": lambda w: [{"client_id": w.objects["client"].pk}],
    "bolots:housing_search_history": lambda w: [{"client_id": w.objects["client"].pk}],
    "bolots:housing_search_check": lambda w: [{"client_id": w.objects["client"].pk}],
    "bolots:queue_add": lambda w: [{"client_id": w.objects["client"].pk}],
    "bolots:queue_edit": lambda w: [{"client_id": w.objects["client"].pk, "pk": _first_of(w, "bolots.QueueRegistration", client=w.objects["client"])}],
    "bolots:application_add": lambda w: [{"client_id": w.objects["client"].pk}],
    "bolots:application_edit": lambda w: [{"client_id": w.objects["client"].pk, "pk": _first_of(w, "bolots.HousingApplication", client=w.objects["client"])}],
    "bolots:course_list": _none,
    "bolots:course_create": _none,
    "bolots:course_missing": _none,
    "bolots:course_detail": _pk("course"),
    "bolots:course_edit": _pk("course"),
    "bolots:course_enrol": _pk("course"),
    "bolots:course_attendance": _pk("course"),
    "bolots:course_certificate": lambda w: [{"enrolment_id": w.objects["enrolment"].pk}],
    "reports:cancellations": _none,
    "bolots:takeover_candidates": _none,
    "reports:dashboard": lambda w: [{}, {"year": w.objects["year"]}],
    "reports:drilldown": lambda w: [{"year": w.objects["year"], "key": key} for key in sorted(RECORD_LISTS)],
    "reports:export_csv": _year,
    "reports:export_xlsx": _year,
    "reports:freeze_year": _year,  # POST only: a GET is refused (405)
    "reports:enforcement_list": _none,
    "reports:enforcement_edit": lambda w: [{}, {"year": w.objects["year"]}],
    "reports:run_list": _none,
    "reports:run_status": _pk("run"),
    "reports:run_download": _pk("run"),
    "reports:run_retry": _pk("run"),
    "audit:log": _none,
    "audit:export": _none,
    "audit:account_events": _none,
    # Culling (docs/culling.md): the run list, a run's list, the rules;
    # making and approving are POST only (a GET is refused).
    "culling:run_list": _none,
    "culling:run_create": _none,
    "culling:rules": _none,
    "culling:run_detail": _pk("culling_run"),
    "culling:run_approve": _pk("culling_run"),
    "culling:run_reject": _pk("culling_run"),
    # The rent ledger (docs/rent.md): each area adds its pages below.
    "rent:overview": _none,
    "rent:export_finance": _none,
    "rent:bgmax_upload": _none,
    "rent:bgmax_files": _none,
    "rent:bgmax_job": _pk("bgmax_job"),
    "rent:payment_queue": _none,
    "rent:payment_match": _pk("rent_payment"),
    "rent:manual_payment": lambda w: [{"tenancy_pk": w.objects["tenancy"].pk}],
    "rent:runs": _none,
    "rent:run_create": _none,  # POST only: a GET is refused (405)
    "rent:tenancy_rates": _pk("tenancy"),
    "rent:charge_create": _pk("tenancy"),
    "rent:increase_create": _none,
    "rent:aging": _none,
    "rent:aging_csv": _none,
    "rent:behind": _none,
    "rent:arrears_figures": _none,
    "rent:plan_create": _pk("tenancy"),
    "rent:plan_detail": _pk("repayment_plan"),
    # The ledger (rent.views.ledger) and the opening balances (rent.views.balances).
    "rent:client_ledger": _both_clients(),
    "rent:tenancy_ledger": _pk("tenancy"),
    "rent:credit_note": _pk("rent_notice"),
    "rent:write_off": _pk("rent_notice"),
    "rent:opening_import": _none,
    "rent:opening_template": _none,
    "rent:settings": _none,
    "rent:notice_pdf": _pk("rent_notice"),
    "rent:month_notices_pdf": lambda w: [{"year": w.objects["rent_notice"].period.year,
                                          "month": w.objects["rent_notice"].period.month}],
    "rent:termination_list": _none,
    "rent:termination_start": lambda w: [{"tenancy_pk": w.objects["tenancy"].pk}],
    "rent:termination_detail": _pk("termination"),
    "rent:termination_letter": lambda w: [{"pk": w.objects["termination"].pk, "letter": letter}
                                          for letter in ("termination", "board_notice")],
    "rent:termination_delivery": _pk("termination"),
    "rent:termination_sign": _pk("termination"),
    # The monthly log review (logreview): the month, a drawn read, the
    # investigation of one, the sign-off and the yearly PDF.
    "logreview:month_list": _none,
    "logreview:month_detail": _pk("review_month"),
    "logreview:month_sign_off": _pk("review_month"),
    "logreview:item_detail": _pk("review_item"),
    "logreview:item_close": _pk("review_item"),
    "logreview:yearly_pdf": lambda w: [{"year": w.objects["year"]}],
    "logreview:settings": _none,
    # Login and second factor (accounts.login): the steps after the password
    # redirect a verified session; the pages show no client data.
    "accounts:verify": _none,
    "accounts:enrol": _none,
    "accounts:security": _none,
    "accounts:backup-codes": _none,
    "accounts:password-change": _none,
    "accounts:password-change-done": _none,
    "accounts:password-reset": _none,
    "accounts:password-reset-done": _none,
    "accounts:password-reset-complete": _none,
    # An invalid link: the page says so.
    "accounts:password-reset-confirm": lambda w: [{"uidb64": "MQ", "token": "set-password"}],
    "accounts:login-locks": _none,
    # E-mails given up (issue 16 worker); resend is POST only.
    "mail_failures:list": _none,
    "mail_failures:resend": lambda w: [{"pk": 1}],  # a GET is refused (405) before any lookup
    "accounts:unlock-password": _none,
    "accounts:unlock-second-factor": lambda w: [{"user_id": w.objects["account"].pk}],
    "accounts:request-reset": _none,
    "accounts:approve-reset": lambda w: [{"reset_id": w.objects["second_factor_reset"].pk}],
    # Login through the identity provider (accounts.oidc): 404 where none is
    # configured (the walk's settings); the flow is tested in test_oidc.py.
    "accounts:oidc-authenticate": _none,
    "accounts:oidc-callback": _none,
    # The passkey library's JSON endpoints (POST only; a GET is refused).
    "otp_webauthn:credential-registration-begin": _none,
    "otp_webauthn:credential-registration-complete": _none,
    "otp_webauthn:credential-authentication-begin": _none,
    "otp_webauthn:credential-authentication-complete": _none,
    "otp_webauthn:js-i18n-catalog": _none,
    # User administration and the two-person rule (accounts.users).
    "users:list": _none,
    "users:create": _none,
    "users:edit": lambda w: [{"pk": w.objects["account"].pk}],
    "users:set_active": lambda w: [{"pk": w.objects["account"].pk}],
    "users:home_address": lambda w: [{"pk": w.objects["account"].pk}],  # POST only
    "users:access_requests": _none,
    "users:access_request_decide": _pk("access_request"),
    # Link requests from the municipality's login (accounts.oidc.link_views).
    "users:identity_links": _none,
    "users:identity_link": _pk("identity_link"),
    "users:identity_link_reject": _pk("identity_link"),  # POST only
    "users:identity_unlink": lambda w: [{"pk": w.objects["account"].pk}],  # POST only
    # Transfer requests (the answer to a number held by another unit).
    "referrals:transfer_request_create": _none,
    "referrals:transfer_requests": _none,
    "referrals:transfer_request_decide": _pk("transfer_request"),
    # The housing chain (issue 15, docs/housing-chain.md): each part adds its pages
    # under its own heading (objects from world_chain.py).
    # -- vacancies
    "tenancies:vacancy_list": _none,
    "tenancies:vacancy_ready": _pk("vacancy"),
    # -- waiting list
    "tenancies:waiting_list": _none,
    "tenancies:waiting_needs": _pk("waiting_decision"),
    "tenancies:waiting_priority": _pk("waiting_decision"),
    # -- offers
    "tenancies:vacancy_match": _pk("offer_apartment"),
    "tenancies:offer_create": lambda w: [{"pk": w.objects["offer_apartment"].pk,
                                          "decision_pk": w.objects["offer_decision"].pk}],
    "tenancies:offer_list": _none,
    "tenancies:offer_detail": _pk("apartment_offer"),
    # -- Housing First
    # The candidate list, a candidate with its steps, the steering group
    # (docs/housing-chain.md "Housing First"); edit and withdraw are POST only (405).
    "referrals:hf_candidates": _none,
    "referrals:hf_candidate_create": _none,
    "referrals:hf_candidate": _pk("hf_candidate"),
    "referrals:hf_candidate_edit": _pk("hf_candidate"),
    "referrals:hf_assessment_create": _pk("hf_candidate"),
    "referrals:hf_make_decision": _pk("hf_candidate"),
    "referrals:hf_withdraw": _pk("hf_candidate"),
    "referrals:hf_steering": _none,
    "referrals:hf_steering_detail": _pk("hf_steering"),
    # -- person links
    "referrals:person_links": _both_clients(),
    "referrals:person_link_undo": _pk("person_link"),
    "referrals:person_link_order": _pk("person_link_order"),
    # -- occupancy
    "reports:occupancy": lambda w: [{}, {"year": w.objects["year"]}],
    # -- national statistics
    # The figures on today (the default day) and two drill-downs behind them.
    "reports:national": _none,
    "reports:national_csv": _none,
    "reports:national_drilldown": lambda w: [{"figure": "situation3-total"}, {"figure": "social-contract-women"}],
    # -- narrative
    # The evaluation's own words (reports.views.narrative): the menu's entry
    # without a year, the closed year and the delegate's running year.
    "reports:narrative": lambda w: [{}, {"year": w.objects["narrative_year"]},
                                    {"year": w.objects["narrative_delegation"].year}],
    "reports:narrative_edit": lambda w: [
        {"year": w.objects["narrative_year"], "section": section}
        for section in ("background", "ordering-views", "providing-views", "improvements", "proposals")
    ],
    "reports:narrative_history": lambda w: [{"year": w.objects["narrative_year"],
                                             "section": w.objects["narrative_section"]}],
    "reports:narrative_delegates": lambda w: [{"year": w.objects["narrative_year"]},
                                              {"year": w.objects["narrative_delegation"].year}],
    # -- checklist rules
    "bolots:checklist_rules": _none,
}


def _first_of(world, label, **lookup):
    model = apps.get_model(label)
    row = model.objects.filter(**lookup).order_by("pk").first() or model.objects.order_by("pk").first()
    return row.pk


def url_names():
    """Every named URL of the project, as 'namespace:name'."""

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + pattern.name

    return sorted(set(walk(get_resolver(), "")))


def _admin_kwargs(name, world):
    """The admin's own pages: per registered model its list, add, change,
    history and delete pages (with the model's first row), plus the index,
    app lists and Django's generic helpers."""
    from django.contrib import admin

    suffix = name.removeprefix("admin:")
    if suffix in ("index", "login", "logout", "password_change", "password_change_done", "jsi18n", "autocomplete"):
        return [{}]
    if suffix == "app_list":
        return [{"app_label": label} for label in sorted({m._meta.app_label for m in admin.site._registry})]
    if suffix == "view_on_site":
        return []
    if suffix == "auth_user_password_change":
        # UserAdmin names this one after auth.User whatever the user model.
        if isinstance(world, _NoWorld):
            return [{"id": 1}]
        from accounts.models import User

        return [{"id": User.objects.order_by("pk").first().pk}]
    for model in admin.site._registry:
        base = f"{model._meta.app_label}_{model._meta.model_name}_"
        if suffix.startswith(base):
            action = suffix.removeprefix(base)
            if action in ("changelist", "add"):
                return [{}]
            # The admin's own pages take object_id; extra pages that
            # plugins add (django-otp's config and QR code) take pk.
            key = _admin_parameter(suffix)
            if isinstance(world, _NoWorld):
                return [{key: 1}]  # only whether a route exists
            row = model._default_manager.order_by("pk").first()
            if row is None:
                return []
            return [{key: row.pk}]
    return None


def _admin_parameter(suffix):
    """The one keyword argument of the admin URL named `suffix`."""
    admin_resolver = get_resolver().namespace_dict["admin"][1]
    for possibilities, *_rest in admin_resolver.reverse_dict.getlist(suffix):
        for _format, params in possibilities:
            if len(params) == 1:
                return params[0]
    return "object_id"


def is_admin(name):
    return name.startswith("admin:")


def missing_routes():
    """URL names with no route (and, for the admin, none it can derive)."""
    missing = []
    for name in url_names():
        if is_admin(name):
            if _admin_kwargs(name, _NoWorld()) is None:
                missing.append(name)
        elif name not in ROUTES:
            missing.append(name)
    return missing


class _NoWorld:
    objects = {}


@dataclass
class Visit:
    user_key: str
    url_name: str
    path: str
    status: int
    body: str


def paths(world):
    """(URL name, path) of every page to walk."""
    out = []
    for name in url_names():
        kwargs_list = _admin_kwargs(name, world) if is_admin(name) else ROUTES[name](world)
        for kwargs in kwargs_list or []:
            try:
                out.append((name, reverse(name, kwargs=kwargs)))
            except NoReverseMatch:
                # Two patterns share a name (with and without arguments):
                # Django reverses the one the arguments fit.
                raise
    return out


def login(test_client, user):
    """One place that logs a walker in, so a second-factor flow changes one line."""
    test_client.force_login(user)


def walk(world, users):
    """GET every page as every user (None: anonymous)."""
    pages = paths(world)
    for key, user in users.items():
        browser = TestClient(raise_request_exception=False)
        if user is not None:
            login(browser, user)
        for name, path in pages:
            if is_admin(name) and name != "admin:index" and not (user is not None and user.is_staff):
                # The admin sends everyone without is_staff to its login page
                # before any of its code runs (admin:index proves it per user):
                # walking its other pages as them proves nothing more.
                continue
            response = browser.get(path)
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
            yield Visit(key, name, path, response.status_code, body.decode("utf-8", errors="replace"))
