from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.email_kinds import email_kind_register


class CosPortalConfig(AppConfig):
    """The project package: settings, URLs, the cross-app pages (privacy, discovery,
    deadlines) and the security hooks. It stands on top of every app; core/ is the floor."""

    name = "cos_portal"
    label = "portal"
    verbose_name = _("Site")

    def ready(self):
        # Framework hooks only (ARCHITECTURE §7): the security log of logins and MFA.
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from . import security

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

        # allauth's mails (address confirmation, password reset...), sent on the person's
        # own request through the mail funnel (security.py): mandatory.
        email_kind_register("account")
