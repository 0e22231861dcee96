"""English: 6 Dec 2026 and 6 Dec 2026 14:05, never 12/06/2026, which a reader may take for June."""

from django.conf.locale.en.formats import *  # noqa: F403  (input formats stay Django's)

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j M"
# A month as the day writes it, without the day: Dec 2026.
YEAR_MONTH_FORMAT = "M Y"
