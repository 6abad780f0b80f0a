from rest_framework.pagination import CursorPagination as DrfCursorPagination


class CursorPagination(DrfCursorPagination):
    """Cursor pagination everywhere: constant cost on deep pages and no COUNT(*)."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
