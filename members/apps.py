from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.auditing import NOISE, follow, stored_fields


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Registre des membres")

    def ready(self):
        # The app's deadlines join the engine's registry (core/deadlines.py).
        from . import deadlines  # noqa: F401
        from .models import (
            Application,
            Establishment,
            ExclusionProcedure,
            Organisation,
            Representative,
            StatusChange,
        )

        # The registry's rows in the row-level trail (core/auditing.py).
        follow(
            Organisation,
            **stored_fields(Organisation, exclude=NOISE),
            m2m_fields={"offer_categories"},
        )
        follow(Establishment)
        follow(Representative)
        follow(StatusChange, **stored_fields(StatusChange))
        # COPIL decisions on applications and exclusions (the form's raw data stays out).
        follow(Application, **stored_fields(Application, exclude=[*NOISE, "data"]))
        follow(ExclusionProcedure)
