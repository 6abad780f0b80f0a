from django.db.models import Q, QuerySet

from accounts.permissions import is_portal_admin, organisation_ids, territory_scope_q
from partnership.models import Organisation


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Administrators see all; NGO staff their own organisations; territorial roles the
    organisations registered in their subtrees."""
    if is_portal_admin(user):
        return Organisation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=organisation_ids(user)) | territory_scope_q(user, field="territory__path")
    )
