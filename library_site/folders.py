"""Moved to library_site.documents.folders (the small files and folders the workers and the web
server share)."""

# --- re-exports for other apps until the merge (house issue) ---
from library_site.documents.folders import folders_remove_stale, json_read, json_write  # noqa: F401
# --- end of re-exports ---
