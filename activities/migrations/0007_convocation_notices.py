"""The convocation e-mails with the person's check-in code (A2), one per activity and
person, claimed with a lease (core/leases.py); every five minutes, those a killed worker
left (its lease expired) or a failed try left are sent."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NAME = "Convocations : reprise des envois interrompus (toutes les 5 minutes)"
TASK = "activities.convocation_notices_resume_task"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": interval, "crontab": None, "enabled": True}
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0006_checkin_sync'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='ConvocationNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('claimed_by', models.CharField(blank=True, editable=False, max_length=32, verbose_name='pris par')),
                ('claimed_until', models.DateTimeField(blank=True, db_index=True, editable=False, null=True, verbose_name="pris jusqu'au")),
                ('status', models.CharField(choices=[('pending', 'À envoyer'), ('sent', 'Envoyé'), ('failed', 'Échec')], db_index=True, default='pending', max_length=10, verbose_name='état')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='tentatives')),
                ('last_error', models.TextField(blank=True, verbose_name='dernière erreur')),
                ('queued_at', models.DateTimeField(verbose_name='mis en file le')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='envoyé le')),
                ('activity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='convocation_notices', to='activities.activity', verbose_name='activité')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='convocation_notices', to=settings.AUTH_USER_MODEL, verbose_name='personne')),
            ],
            options={
                'verbose_name': 'envoi de convocation',
                'verbose_name_plural': 'envois de convocations',
                'ordering': ['activity', 'user'],
                'constraints': [models.UniqueConstraint(fields=('activity', 'user'), name='convocation_notice_once')],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
