"""L3: the label of the attendance ground no longer writes the charter's window and
threshold (12 months, 33 % in V1 R001): they are the charter version's parameters."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_status_reason_corrected"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exclusionprocedure",
            name="ground",
            field=models.CharField(
                choices=[
                    ("ethics_breach", "Manquement à l'article 3.3 (éthique et confidentialité)"),
                    ("attendance", "Présence aux activités inférieure au seuil de la charte"),
                    ("image_harm", "Actions ou propos portant atteinte à l'image de la COS-GE"),
                ],
                max_length=20,
                verbose_name="motif",
            ),
        ),
    ]
