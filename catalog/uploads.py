"""Moved to library_site.documents.uploads (uploads kept between a preview and its confirmation,
and the progress of the job that saves them)."""

# --- re-exports for other apps until the merge (house issue) ---
from library_site.documents.uploads import expected_read, upload_claim, upload_release, upload_store  # noqa: F401
# --- end of re-exports ---
