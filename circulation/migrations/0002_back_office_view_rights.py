"""The library's staff may look up readers, classes and cards in the back office (and export
the reader list); changes go through the circulation pages and services."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_schoolclass", "view_reader", "view_librarycard"]
ROLES = ["administrator", "librarian"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; this one needs them now. The
    # historical app config has no models module, which create_permissions looks for.
    app_config = apps.get_app_config("circulation")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = list(Permission.objects.filter(content_type__app_label="circulation", codename__in=VIEW))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = list(Permission.objects.filter(content_type__app_label="circulation", codename__in=VIEW))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
