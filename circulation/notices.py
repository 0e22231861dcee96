"""Moved: the notices' services are in circulation/services/notices.py, their reads in
selectors/notices.py and their wording's rules in circulation/policies.py."""

# --- re-exports for other apps until the merge (house issue) ---
from circulation.services.notices import notices_send  # noqa: F401
# --- end of re-exports ---
