"""Who may see and change territory nodes.

Names, codes, populations and categories of the territory are public reference data: every
user, signed in or not, sees the whole tree. Changes are for portal administrators only.
"""

from django.db.models import QuerySet

from mahalla.models import Territory


def territories_visible_to(user) -> QuerySet[Territory]:
    """The whole tree: territory reference data is public."""
    return Territory.objects.all()


def can_change_territory(user) -> bool:
    """Only portal administrators edit the tree (loads and imports run as commands)."""
    return bool(user.is_authenticated and user.is_superuser)
