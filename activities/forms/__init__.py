"""The reading activities' forms, one module per sub-domain."""
