"""The reads of the reading activities that pages, commands and other apps use, one module per sub-domain."""
