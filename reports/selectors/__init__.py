"""The reports app's reads, one module per sub-domain: periods (what a page covers), statistics
(the monthly snapshots added up), registers (the rows of the registers and their files' jobs),
leaders (the report to school leaders), public (the screens' page)."""
