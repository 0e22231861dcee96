"""The roles of MISSION.md and what each may do.

A role is a Django group with a stable machine name; a capability is a permission of the
accounts app (``accounts.<codename>``). The groups and their permissions are created by the data
migration ``0002_roles``; a later change to this matrix comes with a data migration of its own,
and ``tests/test_roles.py`` proves the database and this module agree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # In the order that decides a person's home page when they hold several roles.
    ADMINISTRATOR = "administrator", _("Library administrator")
    LIBRARIAN = "librarian", _("Librarian")
    LEADER = "leader", _("School leader")
    VOLUNTEER = "volunteer", _("Service-team volunteer")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")


class Capability(models.TextChoices):
    USE_DESK = "use_desk", _("Lend and take back at the circulation desk")
    MANAGE_READERS = "manage_readers", _("Manage readers, classes and library cards")
    MANAGE_CATALOGUE = "manage_catalogue", _("Catalogue records and copies")
    MANAGE_COLLECTION = (
        "manage_collection",
        _("Purchases, periodicals, repairs, write-offs and stocktaking"),
    )
    MANAGE_ACTIVITIES = "manage_activities", _("Run reading activities")
    GRADE_ACTIVITIES = "grade_activities", _("Grade reading notes, excerpts and quizzes")
    RESERVE_ITEMS = "reserve_items", _("Reserve books and periodicals")
    VIEW_STATISTICS = "view_statistics", _("Read statistics and reports")
    EXPORT_REGISTERS = "export_registers", _("Export the Excel registers")
    APPROVE_PURCHASE_PLANS = "approve_purchase_plans", _("Approve purchase plans")
    APPROVE_WRITE_OFFS = "approve_write_offs", _("Approve write-offs")
    MANAGE_POLICIES = "manage_policies", _("Set loan policies and the library calendar")
    MANAGE_ACCOUNTS = "manage_accounts", _("Manage staff accounts and roles")
    VIEW_SYSTEM_STATUS = "view_system_status", _("See the system's status and background jobs")
    OVERRIDE_BLOCKS = (
        "override_blocks",
        _("Lend despite a block and lift or shorten suspensions, giving a reason"),
    )
    # Money (issue 14 point 10): charging and taking cash at the desk; waiving or cancelling
    # a charge, which only those who answer for the money may do.
    TAKE_PAYMENTS = "take_payments", _("Charge compensations and take payments at the desk")
    WAIVE_CHARGES = "waive_charges", _("Waive or cancel a charge, giving a reason")

    @property
    def permission(self) -> str:
        """The name ``user.has_perm`` takes."""
        return f"accounts.{self.value}"


C = Capability
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            C.USE_DESK,
            C.MANAGE_READERS,
            C.MANAGE_CATALOGUE,
            C.MANAGE_COLLECTION,
            C.MANAGE_ACTIVITIES,
            C.GRADE_ACTIVITIES,
            C.RESERVE_ITEMS,
            C.VIEW_STATISTICS,
            C.EXPORT_REGISTERS,
            C.APPROVE_WRITE_OFFS,
            C.MANAGE_POLICIES,
            C.MANAGE_ACCOUNTS,
            C.VIEW_SYSTEM_STATUS,
            C.OVERRIDE_BLOCKS,
            C.TAKE_PAYMENTS,
            C.WAIVE_CHARGES,
        }
    ),
    Role.LIBRARIAN: frozenset(
        {
            C.USE_DESK,
            C.MANAGE_READERS,
            C.MANAGE_CATALOGUE,
            C.MANAGE_COLLECTION,
            C.MANAGE_ACTIVITIES,
            C.GRADE_ACTIVITIES,
            C.RESERVE_ITEMS,
            C.VIEW_STATISTICS,
            C.OVERRIDE_BLOCKS,
            C.TAKE_PAYMENTS,
            C.WAIVE_CHARGES,
        }
    ),
    Role.LEADER: frozenset({C.VIEW_STATISTICS, C.APPROVE_PURCHASE_PLANS}),
    Role.VOLUNTEER: frozenset({C.USE_DESK, C.TAKE_PAYMENTS}),
    Role.TEACHER: frozenset({C.GRADE_ACTIVITIES, C.RESERVE_ITEMS}),
    Role.STUDENT: frozenset(),
}
del C

# What the roles page says when a standard role is missing or the administrator's rights are not
# the standard ones (a group deleted in the database, a right taken away by hand).
ROLES_REPAIR_ADVICE = _(
    "The standard roles are damaged: a role is missing or the library administrator's rights are "
    "not the standard ones. Ask whoever runs the server to run “python manage.py roles_repair”: "
    "it restores the standard roles and rights and changes nothing else."
)

# Roles whose members work in the back office (the Django admin) as well as in the pages.
STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.LIBRARIAN})


def role_label(name: str) -> str:
    try:
        return str(Role(name).label)
    except ValueError:
        return name
