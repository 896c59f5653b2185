from django.urls import path

from ..views import dashboard, drilldown, enforcement, exports

urlpatterns = [
    # One name, two forms: without a year the current one (or ?ar=YYYY from
    # the year selector), with it that year.
    path("mal/", dashboard.dashboard, name="dashboard"),
    path("mal/<int:year>/", dashboard.dashboard, name="dashboard"),
    path("mal/<int:year>/faststall/", dashboard.freeze, name="freeze_year"),
    path("mal/<int:year>/underlag/<str:key>/", drilldown.drilldown, name="drilldown"),
    path("mal/<int:year>/export.csv", exports.export_csv, name="export_csv"),
    path("mal/<int:year>/export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("mal/kronofogden/", enforcement.enforcement_list, name="enforcement_list"),
    path("mal/kronofogden/ny/", enforcement.enforcement_edit, name="enforcement_edit"),
    path("mal/kronofogden/<int:year>/", enforcement.enforcement_edit, name="enforcement_edit"),
]
