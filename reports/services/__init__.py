"""The reports app's writes, one module per sub-domain: statistics (a month's snapshot
computed), registers (a register file's job started and made), leaders (the librarian's note),
public (the screens' page settings)."""

# --- re-exports for other apps until the merge (house issue) ---
from reports.services.statistics import monthly_snapshot_compute  # noqa: F401
# --- end of re-exports ---
