from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import users_visible_to
from core.serializers import PlainTextInputSerializer

from .serializers import UserOutputSerializer


def _users_with_memberships(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("territory", "organisation")
        )
    )


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts the caller may see (its own, its subtree's, its organisation's)."""

    serializer_class = UserOutputSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return _users_with_memberships(users_visible_to(self.request.user))


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        user = _users_with_memberships(users_visible_to(request.user)).get(pk=request.user.pk)
        return Response(UserOutputSerializer(user).data)


class TokenObtainApi(APIView):
    """Exchanges a user name and password for an API token. Failed attempts count towards the
    same lockout as the sign-in page."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(PlainTextInputSerializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(request._request, **data.validated_data)
        except AxesBackendPermissionDenied:
            raise Throttled(
                detail=_("Too many failed sign-in attempts. Try again later.")
            ) from None
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("The user name or password is wrong."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
