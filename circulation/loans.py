"""Moved: the loans' services are in circulation/services/loans.py (holds in services/holds.py,
class sets in services/class_sets.py)."""

# --- re-exports for other apps until the merge (house issue) ---
from circulation.services.loans import loan_renew  # noqa: F401
# --- end of re-exports ---
