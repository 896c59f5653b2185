"""A hung or refusing mail server (issue 16 §2): the e-mail times out after
EMAIL_TIMEOUT, is retried MAIL_MAX_RETRIES times and then given up and
recorded (core.models.mail.MailFailure); system administrators see it on
/drift/e-post/ and send it again. The servers are real sockets: one that
accepts and never answers, one port that refuses."""

import socket
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from accounts.tasks import send_notification_email
from accounts.tests.factories import UserFactory
from core.models import MailFailure

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LIST = reverse("mail_failures:list")


class HungSmtpServer:
    """Accepts connections and never says a word (no 220 greeting)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _address = self.socket.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.socket.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 0.3
    settings.MAIL_MAX_RETRIES = 2
    return settings


@pytest.fixture
def hung_server(smtp_settings):
    server = HungSmtpServer()
    smtp_settings.EMAIL_PORT = server.port
    yield server
    server.close()


@pytest.fixture
def recipient(unit):
    return UserFactory(username="mottagare", first_name="Maja", last_name="Mottagare", unit=unit,
                       email="maja@example.org", roles=[Role.CASE_OFFICER])


@pytest.fixture
def notification(recipient):
    return Notification.objects.create(user=recipient, text="Uppdrag #12 har accepterats", url="/uppdrag/12/")


def test_a_hung_server_times_out_is_retried_and_given_up_with_a_record(hung_server, notification):
    send_notification_email.apply(args=[notification.pk])
    # One connection per attempt: the first and MAIL_MAX_RETRIES retries.
    assert len(hung_server.accepted) == 3
    failure = MailFailure.objects.get()
    assert failure.task == "accounts.tasks.send_notification_email"
    assert failure.task_args == [notification.pk]
    assert failure.recipient == notification.user
    assert failure.attempts == 3
    assert "timed out" in failure.reason
    # Neither the address nor the text is kept on the failure.
    assert "maja@" not in failure.reason and "Uppdrag" not in failure.reason
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_refusing_server_is_given_up_too(smtp_settings, notification):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        smtp_settings.EMAIL_PORT = closed.getsockname()[1]  # bound, not listening: refused
        send_notification_email.apply(args=[notification.pk])
    failure = MailFailure.objects.get()
    assert failure.reason.startswith("ConnectionRefusedError")


def test_a_server_that_answers_sends_once_and_records_nothing(notification):
    send_notification_email.apply(args=[notification.pk])
    send_notification_email.apply(args=[notification.pk])
    assert len(mail.outbox) == 1
    assert not MailFailure.objects.exists()


# --- The page -------------------------------------------------------------------------


@pytest.fixture
def failure(notification):
    return MailFailure.objects.create(task="accounts.tasks.send_notification_email", task_args=[notification.pk],
                                      recipient=notification.user, attempts=9,
                                      reason="TimeoutError: timed out")


def test_anonymous_goes_to_login(client, failure):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = client.post(reverse("mail_failures:resend", args=[failure.pk]))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert MailFailure.objects.open().count() == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASE_OFFICER, Role.HOUSING_ADMIN, Role.PILOT])
def test_other_roles_are_refused(client, unit, failure, role):
    client.force_login(UserFactory(username="annan", unit=unit, roles=[role]))
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("mail_failures:resend", args=[failure.pk])).status_code == 403
    assert MailFailure.objects.open().count() == 1


def test_the_system_administrator_sees_when_whom_and_why_never_the_content(client, system_admin, failure):
    client.force_login(system_admin)
    response = client.get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ej levererade e-postmeddelanden" in text
    assert "Maja Mottagare" in text and "TimeoutError: timed out" in text and "Skicka igen" in text
    assert "Uppdrag #12" not in text and "maja@example.org" not in text


def test_a_system_administrator_of_another_unit_sees_the_same_list(client, other_unit, failure):
    """One mail server serves every unit: the list is the installation's,
    like the login locks, not one unit's."""
    client.force_login(UserFactory(username="sysadmin2", unit=other_unit, roles=[Role.SYSTEM_ADMIN]))
    assert "Maja Mottagare" in client.get(LIST).content.decode()


def test_send_again_enqueues_the_task_once_and_closes_the_row(client, system_admin, failure, notification,
                                                               django_capture_on_commit_callbacks):
    client.force_login(system_admin)
    url = reverse("mail_failures:resend", args=[failure.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "E-postmeddelandet köades för att skickas igen." in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["maja@example.org"]
    failure.refresh_from_db()
    assert failure.resent_by == system_admin and failure.resent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "E-postmeddelandet hade redan skickats igen." in response.content.decode()
    assert len(mail.outbox) == 1
    assert "Maja Mottagare" not in client.get(LIST).content.decode()


def test_send_again_of_an_unknown_row_is_404(client, system_admin):
    client.force_login(system_admin)
    assert client.post(reverse("mail_failures:resend", args=[999999])).status_code == 404


def test_the_list_takes_the_same_queries_for_1_and_30_rows(client, system_admin, failure, recipient):
    client.force_login(system_admin)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for index in range(29):
        MailFailure.objects.create(task=failure.task, task_args=[index], reason="x",
                                   recipient=UserFactory(username=f"u{index}", unit=recipient.unit))
    with CaptureQueriesContext(connection) as thirty:
        assert client.get(LIST).content.decode().count("Skicka igen") == 30
    assert len(thirty) == len(one) <= 12


def test_a_refused_recipient_is_recorded_without_the_address():
    from smtplib import SMTPRecipientsRefused

    from core.mail_failures import reason_of

    error = SMTPRecipientsRefused({"maja@example.org": (550, b"5.1.1 <maja@example.org>: unknown")})
    assert reason_of(error) == "SMTPRecipientsRefused: 550"
