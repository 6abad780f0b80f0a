from accountability.views import dashboard, public, runs

app_name = "accountability"

urlpatterns = [
    *dashboard.urlpatterns,
    *runs.urlpatterns,
    *public.urlpatterns,
]
