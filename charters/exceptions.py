"""Domain errors of the charter, each with a user-facing translated message."""

from django.utils.translation import gettext_lazy as _


class CharterError(Exception):
    default_message = _("Cette opération sur la charte n'est pas permise.")
    field: str | None = None

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class ConsentMissing(CharterError):
    field = "consent"
    default_message = _(
        "Cochez la phrase de consentement pour signer : sans elle, rien n'est enregistré."
    )


class WrongPassword(CharterError):
    field = "password"
    default_message = _("Mot de passe incorrect : la signature n'a pas été enregistrée.")


class TooManyAttempts(CharterError):
    field = "password"
    default_message = _(
        "Trop de tentatives de mot de passe erronées. Réessayez dans quelques minutes."
    )


class NotASignatory(CharterError):
    default_message = _(
        "Vous n'êtes pas signataire habilité de cette entité : seul un représentant actif "
        "désigné comme signataire habilité peut signer la charte en son nom."
    )


class VersionNotInForce(CharterError):
    default_message = _(
        "Cette version de la charte n'est pas (ou plus) en vigueur : relisez la version "
        "en vigueur avant de signer."
    )


class AlreadySigned(CharterError):
    default_message = _(
        "Cette version de la charte a déjà été signée pour cette entité, en cette qualité. "
        "Aucune nouvelle signature n'a été enregistrée."
    )


class ScopeNotAllowed(CharterError):
    default_message = _(
        "Un membre ou un candidat s'engage sur la charte complète, pas sur le seul article 3.3."
    )


class SameSignerTwice(CharterError):
    default_message = _(
        "La seconde signature doit être donnée par une autre personne que la première "
        "(le dirigeant de l'entité et le participant)."
    )


class VersionFrozen(CharterError):
    default_message = _(
        "Une version publiée de la charte ne peut plus être modifiée : créez une nouvelle version."
    )


class InvalidVersion(CharterError):
    default_message = _("Cette version de la charte n'est pas valable.")
