"""The reading activities' pages, one module per sub-domain: thin, they check who may, call one
service or selector, and render."""
