"""P6: the agreement notice reminder is a deadline of the engine (members/deadlines.py).

A reminder already sent is copied into the engine's table under the engine's key, so it
is not sent again; the old daily task is unscheduled.
"""

import calendar
import datetime

from django.db import migrations

OLD_TASK = "members.agreement_notice_reminders_task"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def copy_and_unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=OLD_TASK).delete()
    PartnershipAgreement = apps.get_model("members", "PartnershipAgreement")
    Reminder = apps.get_model("cos_portal", "Reminder")
    User = apps.get_model("members", "User")
    copil = list(
        User.objects.filter(groups__name="COPIL", is_active=True).values_list("pk", flat=True)
    )
    rows = []
    for agreement in PartnershipAgreement.objects.filter(
        notice_reminded_for__isnull=False
    ).select_related("organisation"):
        end = agreement.notice_reminded_for
        last = _add_months(end, -agreement.notice_months)
        for user_id in copil:
            rows.append(
                Reminder(
                    deadline_key=f"members.agreement_notice:{agreement.pk}:{end.isoformat()}",
                    kind="members.agreement_notice",
                    recipient_id=user_id,
                    offset=30,
                    due=last,
                    labels={
                        "fr": "Dernier jour de préavis de la convention avec "
                        + agreement.organisation.legal_name
                    },
                    act_url=f"/admin/members/partnershipagreement/{agreement.pk}/change/",
                    status="sent",
                    attempts=1,
                    created_at=agreement.updated_at,
                    sent_at=agreement.updated_at,
                    run="members.0005",
                )
            )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_lifecycle_roles_and_schedule"),
        ("cos_portal", "0006_deadline_reminders"),
    ]

    operations = [
        migrations.RunPython(copy_and_unschedule, migrations.RunPython.noop),
        migrations.RemoveField(model_name="partnershipagreement", name="notice_reminded_for"),
    ]
