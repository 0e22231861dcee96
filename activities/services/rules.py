"""The administrator's writes: notes rules, the activities' settings, and the teachers named to
review a class beside its head teacher. Who changed what and when is kept on the row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import SchoolClass
from library_site.accounts.models import User

from ..exceptions import ActivitiesError
from ..models import ActivitiesSettings, ClassReviewer, NotesRule


@transaction.atomic
def notes_rule_save(*, rule: NotesRule, user: User) -> NotesRule:
    """Save a rule the form has checked (a new one, or a change); rules are switched off, never
    deleted, so that what was asked in a past term can still be read."""
    rule.full_clean()
    rule.changed_at = timezone.now()
    rule.changed_by = user
    rule.save()
    return rule


@transaction.atomic
def activities_settings_save(*, settings: ActivitiesSettings, user: User) -> ActivitiesSettings:
    settings.changed_at = timezone.now()
    settings.changed_by = user
    settings.save()
    return settings


@transaction.atomic
def class_reviewer_name(*, school_class: SchoolClass, teacher: User, user: User) -> ClassReviewer:
    if school_class.head_teacher_id == teacher.pk:
        raise ActivitiesError(
            _("%(teacher)s is the head teacher of %(class)s and reviews it already.")
            % {"teacher": teacher.display_name, "class": school_class.name}
        )
    try:
        with transaction.atomic():
            return ClassReviewer.objects.create(school_class=school_class, teacher=teacher, named_by=user)
    except IntegrityError as error:
        raise ActivitiesError(
            _("%(teacher)s already reviews %(class)s.")
            % {"teacher": teacher.display_name, "class": school_class.name}
        ) from error


@transaction.atomic
def class_reviewer_remove(*, reviewer: ClassReviewer) -> None:
    """A named teacher no longer reviews the class (their grades given so far stay)."""
    reviewer.delete()
