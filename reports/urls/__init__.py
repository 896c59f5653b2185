"""All report URLs under one namespace: the dashboard with its drill-downs
and exports, and the yearly PDF evaluation runs."""

from . import dashboard, runs

app_name = "reports"

urlpatterns = dashboard.urlpatterns + runs.urlpatterns
