"""The kinds of mail the portal sends, each declared once by its app's ``ready()``.

A mutable kind is one its recipient may stop receiving (optional reminders, the COPIL's
announcements): its mails carry the person's one-click unsubscribe link. A mandatory kind
(convocation to a statutory vote, status decision, receipt, account mail, error report)
never offers to stop it. The mail funnel (core/emails.py) refuses an undeclared kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class EmailKind:
    key: str
    mutable: bool  # its recipient may stop receiving it: one-click unsubscribe
    label: object = ""  # (lazy) what the person stops receiving, for the unsubscribe page
    # Stops the kind for one person (``user=, topic=, kind=``), ``topic`` narrowing it (a
    # reminder's deadline kind); by default an opt-out row (core/emails.py).
    unsubscribe: Callable[..., None] | None = None
    # What ``topic`` names, in the reader's language, for the unsubscribe page.
    describe: Callable[[str], str] | None = None


_KINDS: dict[str, EmailKind] = {}


def email_kind_register(
    key: str,
    *,
    mutable: bool = False,
    label: object = "",
    unsubscribe: Callable[..., None] | None = None,
    describe: Callable[[str], str] | None = None,
) -> EmailKind:
    """Declare one kind of mail (see the module's docstring)."""
    kind = EmailKind(
        key=key, mutable=mutable, label=label, unsubscribe=unsubscribe, describe=describe
    )
    _KINDS[key] = kind
    return kind


def email_kinds() -> dict[str, EmailKind]:
    """key -> EmailKind, every kind the apps declared, in declaration order."""
    return dict(_KINDS)


def email_kind(key: str) -> EmailKind:
    """The declared kind ``key``; ValueError for a kind nobody declared."""
    try:
        return _KINDS[key]
    except KeyError:
        raise ValueError(f"undeclared kind of mail: {key!r} (email_kind_register)") from None
