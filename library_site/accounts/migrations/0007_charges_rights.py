"""The rights of money (issue 14 point 10): charging and taking cash at the desk (the
administrator, the librarian and the service-team volunteer), and waiving or cancelling a
charge with a reason (the administrator and the librarian only). Written out as it stood, as
0002_roles is."""

from django.db import migrations, models

RIGHTS = {
    "take_payments": (
        "Charge compensations and take payments at the desk",
        ["administrator", "librarian", "volunteer"],
    ),
    "waive_charges": ("Waive or cancel a charge, giving a reason", ["administrator", "librarian"]),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="accounts", model="user")
    for codename, (name, roles) in RIGHTS.items():
        permission, _created = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        for group in Group.objects.filter(name__in=roles):
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename__in=list(RIGHTS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_override_blocks_right"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["username"],
                "permissions": [
                    ("use_desk", "Lend and take back at the circulation desk"),
                    ("manage_readers", "Manage readers, classes and library cards"),
                    ("manage_catalogue", "Catalogue records and copies"),
                    ("manage_collection", "Purchases, periodicals, repairs, write-offs and stocktaking"),
                    ("manage_activities", "Run reading activities"),
                    ("grade_activities", "Grade reading notes, excerpts and quizzes"),
                    ("reserve_items", "Reserve books and periodicals"),
                    ("view_statistics", "Read statistics and reports"),
                    ("export_registers", "Export the Excel registers"),
                    ("approve_purchase_plans", "Approve purchase plans"),
                    ("approve_write_offs", "Approve write-offs"),
                    ("manage_policies", "Set loan policies and the library calendar"),
                    ("manage_accounts", "Manage staff accounts and roles"),
                    ("view_system_status", "See the system's status and background jobs"),
                    (
                        "override_blocks",
                        "Lend despite a block and lift or shorten suspensions, giving a reason",
                    ),
                    ("take_payments", "Charge compensations and take payments at the desk"),
                    ("waive_charges", "Waive or cancel a charge, giving a reason"),
                ],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.AlterField(
            model_name="rolerightchange",
            name="capability",
            field=models.CharField(
                choices=[
                    ("use_desk", "Lend and take back at the circulation desk"),
                    ("manage_readers", "Manage readers, classes and library cards"),
                    ("manage_catalogue", "Catalogue records and copies"),
                    ("manage_collection", "Purchases, periodicals, repairs, write-offs and stocktaking"),
                    ("manage_activities", "Run reading activities"),
                    ("grade_activities", "Grade reading notes, excerpts and quizzes"),
                    ("reserve_items", "Reserve books and periodicals"),
                    ("view_statistics", "Read statistics and reports"),
                    ("export_registers", "Export the Excel registers"),
                    ("approve_purchase_plans", "Approve purchase plans"),
                    ("approve_write_offs", "Approve write-offs"),
                    ("manage_policies", "Set loan policies and the library calendar"),
                    ("manage_accounts", "Manage staff accounts and roles"),
                    ("view_system_status", "See the system's status and background jobs"),
                    (
                        "override_blocks",
                        "Lend despite a block and lift or shorten suspensions, giving a reason",
                    ),
                    ("take_payments", "Charge compensations and take payments at the desk"),
                    ("waive_charges", "Waive or cancel a charge, giving a reason"),
                ],
                max_length=40,
                verbose_name="right",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
