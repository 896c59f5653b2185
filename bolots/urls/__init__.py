"""All bolots URLs under one namespace; one module per area."""

from . import checklist_rules, courses, search, takeovers, visits, worklist

app_name = "bolots"

urlpatterns = (
    worklist.urlpatterns + visits.urlpatterns + search.urlpatterns + courses.urlpatterns
    + takeovers.urlpatterns + checklist_rules.urlpatterns
)
