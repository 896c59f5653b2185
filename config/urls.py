from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.login.urls import passkey_urlpatterns

from . import operations
from .health import healthz, healthz_status

admin.site.site_header = "Bolots – systemförvaltning"
admin.site.site_title = "Bolots"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("healthz/status", healthz_status, name="healthz_status"),
    path("drift/status/", operations.status, name="operations_status"),
    path("konto/", include("accounts.urls")),
    path("konto/", include(passkey_urlpatterns)),
    path("anvandare/", include("accounts.users.urls")),
    path("", include("referrals.urls")),
    path("", include("tenancies.urls")),
    path("", include("bolots.urls")),
    path("hyra/", include("rent.urls")),
    path("", include("reports.urls")),
    path("logg/", include("audit.urls")),
    path("gallring/", include("culling.urls")),
    path("logggranskning/", include("logreview.urls")),
    # issue 16 worker: e-mails given up, for system administrators.
    path("drift/e-post/", include("accounts.mail_failures.urls")),
    path("drift/", include("accounts.operations.urls")),
    path("admin/", admin.site.urls),
]

# Django's default handlers render templates/403.html, 404.html and 500.html;
# 500.html is rendered without request context and stands alone. An
# exception that is the database's (PostgreSQL restarting) gets the 503 page
# instead (core/db_errors.py, issue 16 §2).
handler500 = "core.db_errors.server_error"


# Uploaded and generated files (PDFs, imports) are never served as static
# media: every download goes through a view that checks access and logs it.
