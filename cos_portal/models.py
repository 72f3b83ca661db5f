"""Cross-cutting models: the base model, the audit trail and the task outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

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

    cos_portal/queue.py writes it when publishing fails inside a request, so that what
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

