"""X1, X4: the charter's reminders are deadlines of the engine (charters/deadlines.py).

The reminders already sent are copied into the engine's table under the keys the
engine uses, so that it does not send them again; the old daily tasks are unscheduled.
"""

import datetime

from django.db import migrations

OLD_TASKS = (
    "charters.charter_resignature_reminders_task",
    "charters.charter_expiry_reminders_task",
)
# The steps of the old re-signature task (days after the signature became owed) and the
# engine's matching offsets (days before the 90th day).
RESIGNATURE_STEP_OFFSETS = {1: 90, 2: 60, 3: 30, 4: 0}


def copy_and_unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=OLD_TASKS).delete()
    ResignatureReminder = apps.get_model("charters", "ResignatureReminder")
    ExpiryReminder = apps.get_model("charters", "ExpiryReminder")
    Reminder = apps.get_model("cos_portal", "Reminder")
    User = apps.get_model("members", "User")
    users = {u.email.lower(): u.pk for u in User.objects.only("pk", "email")}
    copil = list(
        User.objects.filter(groups__name="COPIL", is_active=True).values_list("pk", flat=True)
    )
    rows = []
    for old in ResignatureReminder.objects.select_related("version"):
        offset = RESIGNATURE_STEP_OFFSETS.get(old.step, 0)
        sent_on = old.sent_at.date()
        for email in {e.strip().lower() for e in old.recipients.split(",") if e.strip()}:
            if email in users:
                rows.append(
                    Reminder(
                        deadline_key=f"charters.resignature:{old.version_id}:org:{old.organisation_id}",
                        kind="charters.resignature",
                        recipient_id=users[email],
                        offset=offset,
                        due=sent_on + datetime.timedelta(days=offset),
                        labels={"fr": f"Signer la charte {old.version.label}"},
                        act_url="/charte/signer/",
                        status="sent",
                        attempts=1,
                        created_at=old.sent_at,
                        sent_at=old.sent_at,
                        run="charters.0005",
                    )
                )
    for old in ExpiryReminder.objects.select_related("version"):
        for user_id in copil:
            rows.append(
                Reminder(
                    deadline_key=f"charters.version_end:{old.version_id}",
                    kind="charters.version_end",
                    recipient_id=user_id,
                    offset=old.days_before,
                    due=old.version.end_date,
                    labels={"fr": f"Fin de la charte {old.version.label}"},
                    act_url="/revision/",
                    status="sent",
                    attempts=1,
                    created_at=old.sent_at,
                    sent_at=old.sent_at,
                    run="charters.0005",
                )
            )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("charters", "0004_reminder_schedule"),
        ("cos_portal", "0006_deadline_reminders"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_and_unschedule, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExpiryReminder"),
        migrations.DeleteModel(name="ResignatureReminder"),
    ]
