"""The reader's own pages: what their library page shows (loans, holds, history, class sets,
the classes a head teacher leads) and whether it is their home page or a page of its own."""

from __future__ import annotations

from library_site.accounts.home import home_page_for
from library_site.accounts.models import User

from ..registries import reader_page_sections
from .charges import reader_charges
from .class_sets import class_sets_of_teacher
from .desk import reader_panel
from .loans import class_open_loans, reader_history
from .notices import notices_unread_count
from .readers import reader_exists_for_user, reader_for_user
from .school import classes_of_head_teacher

# The key of the reader's own page among the home pages (circulation/apps.py registers it).
MY_LIBRARY_HOME = "my-library"


def my_library_is_separate_page(user: User) -> bool:
    """A reader whose home is another page (the desk, the school's overview) reaches their own
    loans from the menu; for everyone else, their own loans are the home page itself."""
    if not reader_exists_for_user(user):
        return False
    home = home_page_for(user)
    return home is not None and home.key != MY_LIBRARY_HOME


def my_library(user: User) -> dict:
    """Everything the reader's own page shows: their reader record with its card, their panel
    (loans, holds, what blocks them), their history, a teacher's class sets (each saying
    whether it may be cancelled), the classes they lead with the books out, and their unread
    notices, and the sections higher apps add (the reading notes owed)."""
    reader = reader_for_user(user)
    panel = reader_panel(reader.pk, lines=False) if reader else None
    classes = list(classes_of_head_teacher(user))
    for school_class in classes:
        school_class.open_loans = class_open_loans(school_class.pk)
    return {
        "reader": reader,
        "panel": panel,
        "history": reader_history(reader.pk) if reader else [],
        "bookings": class_sets_of_teacher(reader),
        "card": reader.active_cards[0] if reader and reader.active_cards else None,
        "head_teacher_classes": classes,
        "unread_notices": (panel["reader"].unread_notices or 0 if panel else notices_unread_count(user)),
        "sections": reader_page_sections(reader) if reader else [],
        "money": reader_charges(reader.pk) if reader else None,
    }
