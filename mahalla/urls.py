from django.urls import path

from mahalla import views

app_name = "mahalla"

urlpatterns = [
    path("", views.territory_list_view, name="territory-list"),
    path("<str:code>/", views.territory_detail_view, name="territory-detail"),
]
