"""The library's own date formats, one per language (FORMAT_MODULE_PATH in settings).

Every page, the desk's panel and log, the printed slips, the PDFs and the spreadsheets write a
day in one way per language and a moment in one way per language: Django's ``DATE_FORMAT`` and
``SHORT_DATE_FORMAT`` are the same here, as are ``DATETIME_FORMAT`` and
``SHORT_DATETIME_FORMAT``, so that ``|date``, ``|date:"SHORT_DATE_FORMAT"`` and
``library_site.dates.date_text`` cannot disagree. The browser formats no date: the desk's
answers are rendered on the server with these formats.
"""
