"""Every write of circulation and its business rules, one module per sub-domain, the same
names as in selectors/, views/ and forms/: ``loans`` (lend, return, renew, undo, lost),
``holds``, ``class_sets``, ``readers`` (readers and their cards, card reissue), ``school``
(classes, the roster import, promotion), ``rooms`` (reading rooms and visits), ``notices``,
``leavers``, ``policies``, ``desk`` (the scan box's dispatch). Beside them: ``locks`` (the
row locks in their fixed order) and ``desk_actions`` (the desk's record and its answer)."""
