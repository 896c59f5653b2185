"""Drafts (accounts.drafts, issue 12 §4): the token, the service, the
endpoints, the session keep-alive, the middleware and the nightly purge.

The forms of the higher apps are tested with their pages
(bolots/tests/test_drafts_visit_form.py, referrals/tests/test_drafts_forms.py);
here a plain form stands in for them, so accounts names no higher app."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django import forms
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.drafts import services
from accounts.drafts.middleware import DraftMiddleware
from accounts.models import Draft
from accounts.tasks import purge_drafts

pytestmark = pytest.mark.django_db

PAGE = "/uppdrag/7/besok/nytt/"
SAVE = reverse("accounts:draft_save")
DISCARD = reverse("accounts:draft_discard")
KEEPALIVE = reverse("accounts:session_keepalive")


class NoteForm(forms.Form):
    draft_fields = ("notes", "not_a_field")
    notes = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(required=False)


def token_for(user, page=PAGE, form=None):
    return services.make_token(user, page, form or NoteForm())


# --- token and service -------------------------------------------------------------


def test_the_token_names_the_user_page_form_and_draft_fields_only(pilot):
    token = services.read_token(token_for(pilot), pilot)

    assert token == services.FormToken(pilot.pk, PAGE, f"{PAGE}#NoteForm", ("notes",))
    # A prefixed form (the order page's step forms) has its own key and names.
    prefixed = services.read_token(token_for(pilot, form=NoteForm(prefix="complete")), pilot)
    assert prefixed.key == f"{PAGE}#complete" and prefixed.fields == ("complete-notes",)


def test_a_forged_another_users_or_an_old_token_is_refused(pilot, second_pilot):
    value = token_for(pilot)

    assert services.read_token(value + "x", pilot) is None
    assert services.read_token(value, second_pilot) is None
    assert services.read_token("", pilot) is None
    later = time.time() + services.TOKEN_MAX_AGE.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert services.read_token(value, pilot) is None


def test_a_draft_keeps_only_the_tokens_fields_without_nul_and_bounded(pilot):
    token = services.read_token(token_for(pilot), pilot)
    long_text = "a" * (services.MAX_FIELD_LENGTH + 10)

    services.save_draft(pilot, token, {"notes": "Hej\x00 då", "secret": "not a draft field"})
    draft = Draft.objects.get(user=pilot)
    assert draft.data == {"notes": "Hej då"}

    services.save_draft(pilot, token, {"notes": long_text})
    assert Draft.objects.count() == 1
    assert len(Draft.objects.get().data["notes"]) == services.MAX_FIELD_LENGTH


def test_prepare_form_restores_only_the_users_own_draft_on_an_unbound_form(pilot, second_pilot):
    Draft.objects.create(user=second_pilot, key=f"{PAGE}#NoteForm", data={"notes": "Kollegans text"})
    request = RequestFactory().get(PAGE)
    request.user, request.session = pilot, SessionStore()
    request.session[services.PENDING_SESSION_KEY] = True
    form = NoteForm()
    assert services.prepare_form(request, form).restored is None
    assert form["notes"].value() is None

    Draft.objects.create(user=pilot, key=f"{PAGE}#NoteForm", data={"notes": "Min text", "secret": "x"})
    request = RequestFactory().get(PAGE)
    request.user, request.session = pilot, SessionStore()
    # The session knows of no draft: the page does not look (no query).
    assert services.prepare_form(request, NoteForm()).restored is None
    request = RequestFactory().get(PAGE)
    request.user, request.session = pilot, SessionStore()
    request.session[services.PENDING_SESSION_KEY] = True
    form = NoteForm()
    result = services.prepare_form(request, form)
    assert result.restored.data["notes"] == "Min text" and not result.unsaved
    assert form["notes"].value() == "Min text"
    assert form["secret"].value() is None

    # A bound form (a failed save) shows what was posted, not the draft.
    request = RequestFactory().post(PAGE, {"notes": "Postad"})
    request.user, request.session = pilot, SessionStore()
    bound = NoteForm(request.POST)
    assert services.prepare_form(request, bound).restored is None
    assert bound["notes"].value() == "Postad"


def test_purge_deletes_drafts_older_than_the_retention_only(pilot):
    old = Draft.objects.create(user=pilot, key="/a/#F", data={})
    fresh = Draft.objects.create(user=pilot, key="/b/#F", data={})
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=settings.DRAFT_RETENTION_DAYS, hours=1))
    Draft.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(days=settings.DRAFT_RETENTION_DAYS - 1))

    assert purge_drafts() == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_purge_runs_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-drafts"]
    assert entry["task"] == "accounts.tasks.purge_drafts"
    assert settings.DRAFT_RETENTION_DAYS == 14


# --- endpoints --------------------------------------------------------------------------


def test_anonymous_users_can_neither_save_discard_nor_keep_alive(client, pilot):
    token = token_for(pilot)
    for url in (SAVE, DISCARD, KEEPALIVE):
        response = client.post(url, {"_draft": token, "notes": "x"})
        assert response.status_code == 401
        assert json.loads(response.content) == {"ok": False, "reason": "logged-out"}
    assert not Draft.objects.exists()


@pytest.mark.parametrize("url", [SAVE, DISCARD, KEEPALIVE])
def test_the_endpoints_take_only_posts(client, pilot, url):
    client.force_login(pilot)
    assert client.get(url).status_code == 405


def test_login_notes_whether_the_user_has_drafts(client, pilot):
    client.force_login(pilot)
    assert client.session[services.PENDING_SESSION_KEY] is False
    Draft.objects.create(user=pilot, key="/a/#F", data={})
    client.force_login(pilot)
    assert client.session[services.PENDING_SESSION_KEY] is True


def test_a_user_saves_a_draft_and_the_answer_carries_no_text(client, pilot):
    client.force_login(pilot)

    response = client.post(SAVE, {"_draft": token_for(pilot), "notes": "Pratade om hyran."})

    assert response.status_code == 200
    answer = json.loads(response.content)
    assert set(answer) == {"ok", "saved_at"} and answer["ok"] is True
    assert "hyran" not in response.content.decode()
    assert Draft.objects.get(user=pilot).data == {"notes": "Pratade om hyran."}
    assert client.session[services.PENDING_SESSION_KEY] is True


def test_another_users_token_cannot_read_or_overwrite_their_draft(client, pilot, second_pilot, outside_officer):
    services.save_draft(pilot, services.read_token(token_for(pilot), pilot), {"notes": "Mitt"})
    for intruder in (second_pilot, outside_officer):
        client.force_login(intruder)
        assert client.post(SAVE, {"_draft": token_for(pilot), "notes": "Skrivet över"}).status_code == 403
        assert client.post(DISCARD, {"_draft": token_for(pilot)}).status_code == 403
        assert client.post(SAVE, {"_draft": "forged", "notes": "x"}).status_code == 403
    assert Draft.objects.get().data == {"notes": "Mitt"}
    assert Draft.objects.get().user == pilot


def test_an_own_token_writes_the_users_own_draft_only(client, pilot, second_pilot):
    """Two people writing on the same form have a draft each."""
    services.save_draft(pilot, services.read_token(token_for(pilot), pilot), {"notes": "Pilotens"})
    client.force_login(second_pilot)

    assert client.post(SAVE, {"_draft": token_for(second_pilot), "notes": "Kollegans"}).status_code == 200

    assert dict(Draft.objects.values_list("user__username", "data__notes")) == {
        pilot.username: "Pilotens", second_pilot.username: "Kollegans",
    }


def test_discard_deletes_the_users_draft(client, pilot):
    services.save_draft(pilot, services.read_token(token_for(pilot), pilot), {"notes": "x"})
    client.force_login(pilot)

    assert client.post(DISCARD, {"_draft": token_for(pilot)}).status_code == 200
    assert not Draft.objects.exists()


def test_a_session_not_past_the_second_factor_saves_nothing(unverified_login, client, pilot):
    unverified_login(client, pilot)

    response = client.post(SAVE, {"_draft": token_for(pilot), "notes": "x"})

    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_keep_alive_renews_the_session(client, pilot):
    client.force_login(pilot)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=30))

    response = client.post(KEEPALIVE)

    assert response.status_code == 200 and json.loads(response.content) == {"ok": True}
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


# --- middleware -------------------------------------------------------------------------


def _request(user, data, session=None):
    request = RequestFactory().post("/somewhere/", data)
    request.user = user
    request.session = session or SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_redirect_after_a_save_deletes_the_posted_forms_drafts(pilot):
    services.save_draft(pilot, services.read_token(token_for(pilot), pilot), {"notes": "x"})
    other = Draft.objects.create(user=pilot, key="/other/#NoteForm", data={"notes": "y"})
    request = _request(pilot, {"_draft": token_for(pilot)})

    DraftMiddleware(lambda r: HttpResponseRedirect("/done/"))(request)

    assert list(Draft.objects.all()) == [other]


def test_a_refusal_keeps_the_draft(pilot):
    services.save_draft(pilot, services.read_token(token_for(pilot), pilot), {"notes": "x"})

    def refused_with_a_redirect(request):
        from django.contrib import messages

        messages.error(request, "Nothing was saved.")
        return HttpResponseRedirect("/back/")

    DraftMiddleware(refused_with_a_redirect)(_request(pilot, {"_draft": token_for(pilot)}))
    DraftMiddleware(lambda r: HttpResponse("form with errors"))(_request(pilot, {"_draft": token_for(pilot)}))
    assert Draft.objects.count() == 1


def test_a_save_after_the_session_ended_goes_to_the_login_with_the_forms_page(client, pilot):
    token = token_for(pilot)

    response = client.post("/uppdrag/7/slutfor/", {"_draft": token, "notes": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/uppdrag/7/besok/nytt/"
    assert client.session[services.UNSAVED_SESSION_KEY] == [f"{PAGE}#NoteForm"]
    (message,) = get_messages(response.wsgi_request)
    assert message.level == constants.WARNING
    assert "sparades inte" in message.message
    assert "Logga in igen" in message.message


def test_an_anonymous_post_without_a_valid_token_is_left_to_the_view(client, pilot):
    response = client.post(reverse("accounts:notifications"), {"_draft": "forged"})

    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('accounts:notifications')}"
    assert services.UNSAVED_SESSION_KEY not in client.session
