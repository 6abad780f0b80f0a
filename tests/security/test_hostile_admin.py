"""The admin's forms refuse markup and text-direction controls as the portal's forms do
(core.admin.PlainTextAdminMixin): every admin that may add or change rows builds its forms,
inline rows included, with core.forms.PlainTextFormMixin; a hostile value posted through one
is refused with the field's error and nothing is saved; a password keeps any character."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from core.forms import PlainTextFormMixin
from partnership.models import PartnershipArea
from tests.core.test_history import DOMAIN_APPS
from tests.security.test_hostile_api import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_request():
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin")
    return request


def _writable_admins(request):
    for model, model_admin in admin.site._registry.items():
        # The admins of the libraries (groups, tokens, lockouts, task results, schedules) hold
        # names and settings shown on no page, export or report.
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            yield model._meta.label, model_admin


def test_every_admin_that_writes_refuses_markup(admin_request):
    writable = dict(_writable_admins(admin_request))
    assert {"partnership.PartnershipArea", "accounts.User", "mahalla.Territory"} <= set(writable)
    plain = []
    for label, model_admin in sorted(writable.items()):
        forms = [model_admin.get_form(admin_request)]
        forms += [
            inline.get_formset(admin_request).form
            for inline in model_admin.get_inline_instances(admin_request)
        ]
        plain += [(label, form.__name__, issubclass(form, PlainTextFormMixin)) for form in forms]
    refusing_nothing = [(label, name) for label, name, refuses in plain if not refuses]
    assert refusing_nothing == [], refusing_nothing


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _area(**values) -> dict:
    return {
        "code": "sec_area",
        "name_uz": "Xavfsizlik",
        "name_uz_cyrl": "Хавфсизлик",
        "name_ru": "Безопасность",
        "name_en": "Safety",
        "order": "90",
        "is_active": "on",
        **values,
    }


def test_the_valid_area_is_added(admin_client):
    """The payload is right: the refusals below are those of the hostile value."""
    response = admin_client.post(reverse("admin:partnership_partnershiparea_add"), _area())
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PartnershipArea.objects.filter(code="sec_area").exists()


@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_name_is_refused_by_the_admin_and_nothing_saved(admin_client, label):
    value, code = HOSTILE[label]
    before = PartnershipArea.objects.count()
    response = admin_client.post(
        reverse("admin:partnership_partnershiparea_add"), _area(name_en=value)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert code in {error.code for error in errors["name_en"]}, errors
    assert PartnershipArea.objects.count() == before


def test_a_password_set_in_the_admin_may_hold_any_character(admin_client):
    password = "<Tinchlik>-\u202emahalla-2026"
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "sinov.admin",
            "password1": password,
            "password2": password,
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="sinov.admin").check_password(password)
