"""The catalogue's forms, one module per sub-domain, with the same names as catalog/views/,
catalog/services/ and catalog/selectors/."""
