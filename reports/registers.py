"""Moved to reports.documents.registers (a register's tables and the file written from them)."""

# --- re-exports for other apps until the merge (house issue) ---
from reports.documents.registers import RegisterQuery, register_get  # noqa: F401
# --- end of re-exports ---
