"""Every write of circulation and its business rules, one module per sub-domain, the same
names as in selectors/, views/ and forms/: ``loans`` (lend, return, renew, undo, lost),
``holds``, ``class_sets``, ``readers`` (readers and their cards, card reissue), ``school``
(classes, the roster import, promotion), ``rooms`` (reading rooms and visits), ``notices``,
``leavers``, ``policies``, ``desk`` (the scan box's dispatch). Beside them: ``locks`` (the
row locks in their fixed order) and ``desk_actions`` (the desk's record and its answer)."""

# --- re-exports for other apps until the merge (house issue) ---
from circulation.services.readers import card_issue, reader_create, reader_grant_volunteer  # noqa: F401
from circulation.services.school import school_class_create  # noqa: F401
# --- end of re-exports ---
