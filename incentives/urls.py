from incentives.views import nominations, public, reports, social

app_name = "incentives"

urlpatterns = [
    *nominations.urlpatterns,
    *social.urlpatterns,
    *reports.urlpatterns,
    *public.urlpatterns,
]
