from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CosPortalConfig(AppConfig):
    name = "cos_portal"
    verbose_name = _("Portail")
