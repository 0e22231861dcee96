"""The reports app's writes, one module per sub-domain: statistics (a month's snapshot
computed), registers (a register file's job started and made), leaders (the librarian's note),
public (the screens' page settings)."""
