from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0007_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="circulationsettings",
            name="card_grades",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Separated by commas, e.g. 3,4,5,6 for grades 3–6 of a primary school; empty: every grade. Teachers and staff always get a card.",
                max_length=40,
                verbose_name="grades whose pupils get a library card",
            ),
        ),
    ]
