"""Chinese: 2026-12-06 and 2026-12-06 14:05, the way school registers and slips write a day."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403  (input formats stay Django's)

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "m-d"
# A month as the day writes it, without the day: 2026-12 (not 2026年12月).
YEAR_MONTH_FORMAT = "Y-m"
