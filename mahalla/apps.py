from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MahallaConfig(AppConfig):
    name = "mahalla"
    verbose_name = _("Territory")
