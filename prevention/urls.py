from prevention.views import approvals, records, register, residents, structure

app_name = "prevention"

urlpatterns = [
    *records.urlpatterns,
    *register.urlpatterns,
    *structure.urlpatterns,
    *residents.urlpatterns,
    *approvals.urlpatterns,
]
