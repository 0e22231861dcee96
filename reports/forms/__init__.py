"""The reports app's forms, one module per sub-domain, named as the views that use them."""
