from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CosPortalConfig(AppConfig):
    name = "cos_portal"
    verbose_name = _("Portail")

    def ready(self):
        # Framework hooks only (ARCHITECTURE §7): the security log of logins and MFA.
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from . import security
        from .auditing import register_audited_models

        # The row-level audit trail (django-auditlog): cos_portal/auditing.py.
        register_audited_models()

        auth_signals.user_logged_in.connect(
            security.on_user_logged_in, dispatch_uid="cos_portal.security.logged_in"
        )
        auth_signals.user_logged_out.connect(
            security.on_user_logged_out, dispatch_uid="cos_portal.security.logged_out"
        )
        auth_signals.user_login_failed.connect(
            security.on_user_login_failed, dispatch_uid="cos_portal.security.login_failed"
        )
        mfa_signals.authentication_failed.connect(
            security.on_mfa_authentication_failed, dispatch_uid="cos_portal.security.mfa_failed"
        )
        mfa_signals.authenticator_added.connect(
            security.on_authenticator_added, dispatch_uid="cos_portal.security.mfa_added"
        )
        mfa_signals.authenticator_removed.connect(
            security.on_authenticator_removed, dispatch_uid="cos_portal.security.mfa_removed"
        )
