from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeApi, TokenObtainApi, UserViewSet
from mahalla.api.views import TerritoryViewSet

app_name = "api"

router = DefaultRouter()
router.register("territories", TerritoryViewSet, basename="territory")
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    *router.urls,
]
