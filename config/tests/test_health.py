import json

import pytest
from django.urls import reverse

from config.health import broker_status


@pytest.mark.django_db
def test_healthz_answers_without_login_with_status_of_each_dependency(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # No broker configured in the tests: tasks run eagerly, which is healthy.
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_is_503_with_json_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Nothing listens on port 1.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "error", "database": "ok", "broker": "error"}
    assert "127.0.0.1" not in response.content.decode(), "no connection details leak"


@pytest.mark.redis
def test_broker_status_is_ok_against_a_real_redis(settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url

    assert broker_status() == "ok"


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
