"""The reports app's pages, one module per sub-domain: statistics (the dashboard), registers
(the Excel registers), leaders (the report to school leaders), public (the screens' page)."""
