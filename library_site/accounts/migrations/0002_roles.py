"""The roles of MISSION.md as groups, with their capabilities.

The matrix is written out here, as it stood when this migration was made: a migration must
not follow later edits of roles.py. A change to the matrix comes with a migration of its own.
"""

from django.db import migrations

CAPABILITIES = {
    "use_desk": "Lend and take back at the circulation desk",
    "manage_readers": "Manage readers, classes and library cards",
    "manage_catalogue": "Catalogue records and copies",
    "manage_collection": "Purchases, periodicals, repairs, write-offs and stocktaking",
    "manage_activities": "Run reading activities",
    "grade_activities": "Grade reading notes, excerpts and quizzes",
    "reserve_items": "Reserve books and periodicals",
    "view_statistics": "Read statistics and reports",
    "export_registers": "Export the Excel registers",
    "approve_purchase_plans": "Approve purchase plans",
    "approve_write_offs": "Approve write-offs",
    "manage_policies": "Set loan policies and the library calendar",
    "manage_accounts": "Manage staff accounts and roles",
    "view_system_status": "See the system's status and background jobs",
}

ROLES = {
    "administrator": [
        "use_desk",
        "manage_readers",
        "manage_catalogue",
        "manage_collection",
        "manage_activities",
        "grade_activities",
        "reserve_items",
        "view_statistics",
        "export_registers",
        "approve_write_offs",
        "manage_policies",
        "manage_accounts",
        "view_system_status",
    ],
    "librarian": [
        "use_desk",
        "manage_readers",
        "manage_catalogue",
        "manage_collection",
        "manage_activities",
        "grade_activities",
        "reserve_items",
        "view_statistics",
    ],
    "leader": ["view_statistics", "approve_purchase_plans"],
    "volunteer": ["use_desk"],
    "teacher": ["grade_activities", "reserve_items"],
    "student": [],
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="accounts", model="user")
    permissions = {}
    for codename, name in CAPABILITIES.items():
        permissions[codename], _created = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for role, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*(permissions[codename] for codename in codenames))


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
