from rest_framework import permissions, viewsets

from core.pagination import CursorPagination
from mahalla.filters import TerritoryFilter
from mahalla.permissions import territories_visible_to
from mahalla.selectors import territory_list

from .serializers import TerritoryDetailOutputSerializer, TerritoryOutputSerializer


class TerritoryPagination(CursorPagination):
    ordering = "path"  # unique, and the tree order people expect


class TerritoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The territory tree. Public reference data: no sign-in needed."""

    serializer_class = TerritoryOutputSerializer
    filterset_class = TerritoryFilter
    pagination_class = TerritoryPagination
    permission_classes = [permissions.AllowAny]

    def get_serializer_class(self):
        # The history only on a node's own page: a list keeps its fixed number of queries.
        if self.action == "retrieve":
            return TerritoryDetailOutputSerializer
        return TerritoryOutputSerializer

    def get_queryset(self):
        return territory_list(queryset=territories_visible_to(self.request.user))
