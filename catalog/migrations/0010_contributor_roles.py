import re

from django.db import migrations, models

# Names saved before these roles were understood kept the role word in them ("高鹗 续" with the
# role 著): the word after a space becomes the role. Frozen here, as the model was at this step.
ROLES_FROM_WORDS = {
    "编著": "editor_author",
    "续": "continuer",
    "校注": "collator_annotator",
    "整理": "arranger",
    "评注": "commentator",
    "编选": "selector",
    "选编": "selector",
}
NAME_AND_WORD = re.compile(r"^(.+?)\s+(" + "|".join(ROLES_FROM_WORDS) + r")$")


def roles_from_names(apps, schema_editor):
    Contributor = apps.get_model("catalog", "Contributor")
    for word in ROLES_FROM_WORDS:
        for contributor in Contributor.objects.filter(role="author", name__endswith=word):
            match = NAME_AND_WORD.match(contributor.name)
            if match:
                contributor.name, contributor.role = match.group(1), ROLES_FROM_WORDS[match.group(2)]
                contributor.save(update_fields=["name", "role"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_plan_form_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contributor",
            name="role",
            field=models.CharField(
                choices=[
                    ("author", "author"),
                    ("editor", "editor"),
                    ("chief_editor", "chief editor"),
                    ("translator", "translator"),
                    ("illustrator", "illustrator"),
                    ("adapter", "adapter"),
                    ("editor_author", "edited and written by"),
                    ("continuer", "continued by"),
                    ("collator_annotator", "collated and annotated by"),
                    ("arranger", "arranged by"),
                    ("commentator", "with commentary by"),
                    ("selector", "selected and edited by"),
                ],
                default="author",
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(roles_from_names, migrations.RunPython.noop),
    ]
