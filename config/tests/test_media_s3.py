"""Media in an S3-compatible store (MEDIA_STORAGE=s3, issue 16 §4), against
a real S3 server started here: moto's server mode, speaking S3's HTTP API
on a local port. The worker's PDF goes into the bucket, encrypted and
private; the web process serves it only through the access-checked, logged
download view; the waiting import file of a preview crosses to the confirm
through the bucket; deleting removes the object."""

import socket
import uuid

import boto3
import environ
import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from config.storage_settings import s3_options
from core import pending_files
from reports.models import ReportRun
from reports.tests.runs_helpers import PDF_BYTES, make_run, other_manager_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

KEYS = {"AWS_ACCESS_KEY_ID": "bolots-test", "AWS_SECRET_ACCESS_KEY": "bolots-test-secret",
        "AWS_S3_REGION_NAME": "us-east-1"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh bucket, and the project's default storage pointed at it with
    the options settings build from the environment."""
    name = f"bolots-media-{uuid.uuid4().hex[:12]}"
    for key, value in {**KEYS, "AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(key, value)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(environ.Env())}}
    return s3, name


def _keys(s3, name):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=name).get("Contents", [])]


def test_a_generated_pdf_is_stored_encrypted_served_through_the_checked_view_and_deleted(
        client, manager, other_manager, bucket):
    s3, name = bucket
    run = make_run(manager, ReportRun.Status.DONE)

    (key,) = _keys(s3, name)
    assert key == run.file.name and key.startswith("reports/") and key.endswith(".pdf")
    head = s3.head_object(Bucket=name, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    grantees = [grant["Grantee"] for grant in s3.get_object_acl(Bucket=name, Key=key)["Grants"]]
    assert grantees and all("URI" not in grantee for grantee in grantees), "no public or group grant"

    client.force_login(manager)
    response = client.get(reverse("reports:run_download", args=[run.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT, object_id=str(run.pk), user=manager).count() == 1

    client.force_login(other_manager)
    assert client.get(reverse("reports:run_download", args=[run.pk])).status_code == 404

    run.file.delete(save=True)
    assert _keys(s3, name) == []


def test_a_previewed_import_file_waits_in_the_bucket_until_it_is_taken(bucket):
    s3, name = bucket
    token = pending_files.store("imports", b"lagenhet;adress\n1;Storgatan 1\n")

    assert _keys(s3, name) == [f"imports/{token}.upload"]
    assert pending_files.take("imports", token) == b"lagenhet;adress\n1;Storgatan 1\n"
    assert _keys(s3, name) == []
    assert pending_files.take("imports", token) is None
    assert pending_files.take("imports", "../../etc/passwd") is None


def test_stale_waiting_files_are_listed_and_removed_from_the_bucket(bucket, monkeypatch):
    from datetime import timedelta

    s3, name = bucket
    old = pending_files.store("imports", b"old")
    monkeypatch.setattr(pending_files, "MAX_AGE", timedelta(seconds=-60))
    pending_files.remove_stale("imports")
    assert f"imports/{old}.upload" not in _keys(s3, name)
