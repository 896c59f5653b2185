"""Telling a user that something happened: in the app at once, and by
e-mail through a Celery task once the transaction has committed.

Texts go out by e-mail, outside the access-controlled system: they name the
record (e.g. "Uppdrag #12") and link to it, never a person.
"""

from core.tasks import enqueue_after_commit

from .models import Notification


def notify(user, text, url="", *, email=True):
    notification = Notification.objects.create(user=user, text=text[:300], url=url[:300])
    if email and user.email:
        from .tasks import send_notification_email

        enqueue_after_commit(send_notification_email, notification.pk)
    return notification


def notify_many(users, text, url="", *, email=True):
    seen = set()
    for user in users:
        if user is not None and user.pk not in seen and user.is_active:
            seen.add(user.pk)
            notify(user, text, url, email=email)
