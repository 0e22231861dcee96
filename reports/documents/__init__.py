"""The files the reports app makes, one module per sub-domain: registers (each register's
tables, and the .xlsx or .csv written from them) and leaders (the report's PDF and workbook)."""
