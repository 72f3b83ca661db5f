"""Cross-cutting models: the base model, the leased job, the audit trail and the task outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class LeasedJob(models.Model):
    """A row of work (an e-mail to send) that a run claims for a while: its lease.

    core/leases.py claims pending rows whose lease is empty or expired in one UPDATE,
    renews the lease while a long batch goes on and releases it. A worker killed in the
    middle of a batch leaves its rows claimed until ``claimed_until``; the next run, or
    the periodic resume task, takes them over then.
    """

    # The run holding the row; empty once released.
    claimed_by = models.CharField(_("pris par"), max_length=32, blank=True, editable=False)
    # The end of the lease: past it, another run may take the row over. A failed send
    # releases the row until its next try.
    claimed_until = models.DateTimeField(
        _("pris jusqu'au"), null=True, blank=True, editable=False, db_index=True
    )

    class Meta:
        abstract = True


class LeasedEmail(LeasedJob):
    """A LeasedJob that is one e-mail to one person: its tries, its last error, when it
    was queued and sent (core/leases.py ``Lease.deliver`` records them). Each kind adds
    its own ``status`` (pending, sent, failed)."""

    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    queued_at = models.DateTimeField(_("mis en file le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One governance state change: who did what, when, with which data (never a ballot)."""

    created_at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des décisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class OutboxJob(models.Model):
    """A Celery task the broker refused (Redis down): kept here until it is re-sent.

    core/queue.py writes it when publishing fails inside a request, so that what
    the person submitted is saved and the follow-up work is not lost;
    ``outbox_flush_task`` publishes it again once the broker answers, then deletes it.
    """

    task_name = models.CharField(_("tâche"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("arguments nommés"), default=dict, blank=True)
    created_at = models.DateTimeField(_("créé le"), db_index=True)
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    last_attempt_at = models.DateTimeField(_("dernière tentative"))
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("tâche en attente du courtier")
        verbose_name_plural = _("tâches en attente du courtier")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class Reminder(LeasedJob):
    """One reminder of one deadline to one person at one offset (core/deadlines.py).

    The row is written before the e-mail is sent, under a unique key (deadline,
    recipient, offset): a second run of the engine finds the row taken and inserts
    nothing. A run sends only the rows it claimed (LeasedJob), and marks each one sent
    right after its e-mail, so a worker killed in the middle of a batch leaves the rest
    pending for the next run.
    """

    deadline_key = models.CharField(_("échéance"), max_length=200)
    kind = models.CharField(_("type d'échéance"), max_length=80, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="deadline_reminders",
    )
    offset = models.SmallIntegerField(
        _("jours avant l'échéance"), help_text=_("0 : le jour même ; négatif : après l'échéance.")
    )
    due = models.DateField(_("date d'échéance"))
    informed_only = models.BooleanField(_("pour information"), default=False)
    # The label in each language and the link, kept so that a re-send needs no recomputation.
    labels = models.JSONField(_("libellés"), default=dict)
    act_url = models.CharField(_("lien"), max_length=300)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel d'échéance")
        verbose_name_plural = _("rappels d'échéance")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_key", "recipient", "offset"], name="reminder_once_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline_key} → {self.recipient_id} (J-{self.offset})"

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.labels.get(get_language() or "fr") or self.labels.get("fr", self.deadline_key)


class ReminderMute(models.Model):
    """A kind of optional reminder a person chose not to receive (charter-required ones
    cannot be muted: the engine ignores a row for them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="reminder_mutes",
    )
    kind = models.CharField(_("type d'échéance"), max_length=80)

    class Meta:
        verbose_name = _("rappel désactivé")
        verbose_name_plural = _("rappels désactivés")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_mute_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.kind}"


class EmailOptOut(models.Model):
    """A kind of optional mail (core/emails.py, a mutable kind) a person stopped with the
    unsubscribe link of one of them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
    )
    kind = models.CharField(_("type d'e-mail"), max_length=80)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("désabonnement")
        verbose_name_plural = _("désabonnements")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.kind}"
