"""Deploy checks of the production layout (docs/deploy.md), run by
`manage.py check --deploy`.

Missing SITE_URL or CELERY_BROKER_URL stop production earlier, in
config/settings.py (every process refuses to start, as without SECRET_KEY);
these checks catch the values that are set but wrong.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    problems = []
    url = urlsplit(settings.SITE_URL)
    if url.scheme != "https" or not url.hostname:
        problems.append(Error(
            "SITE_URL must be the https address users reach the site at (links in e-mails, passkeys).",
            hint="e.g. SITE_URL=https://bolots.kommun.se", id="bolots.E001"))
    elif not any(host == url.hostname or (host.startswith(".") and url.hostname.endswith(host))
                 for host in settings.ALLOWED_HOSTS):
        problems.append(Warning(
            f"SITE_URL's host {url.hostname} is not in ALLOWED_HOSTS: links in e-mails would be refused.",
            id="bolots.W002"))
    return problems


@register(deploy=True)
def check_background_work(app_configs=None, **kwargs):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return [Warning(
            "Tasks run inside the web requests (CELERY_EAGER=1): PDFs and e-mails hold up pages and are "
            "lost when a request fails.",
            hint="Set CELERY_BROKER_URL and run the worker and beat (docs/deploy.md).", id="bolots.W003")]
    return []


@register(deploy=True)
def check_media_storage(app_configs=None, **kwargs):
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend.endswith("S3Storage") and not settings.STORAGES["default"]["OPTIONS"].get("bucket_name"):
        return [Error("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.", id="bolots.E004")]
    return []
