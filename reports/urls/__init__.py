"""All report URLs under one namespace: the dashboard with its drill-downs
and exports, the yearly PDF evaluation runs, and the cancellations page."""

from . import cancellations, dashboard, narrative, national, occupancy, runs

app_name = "reports"

urlpatterns = (
    dashboard.urlpatterns + runs.urlpatterns + cancellations.urlpatterns
    + occupancy.urlpatterns + national.urlpatterns + narrative.urlpatterns
)
