"""English dates and times as Haven has always shown them ("Dec 1, 2026", "7:30 PM"), by name: the
`date_as` template filter reads these (core/templatetags/haven_formats.py). Django's own formats
(DATE_FORMAT, ...) stay as Django has them."""

HAVEN_DATE = "M j, Y"  # Dec 1, 2026
HAVEN_TIME = "g:i A"  # 7:30 PM
HAVEN_MONTH_YEAR = "F Y"  # December 2026
HAVEN_SHORT_MONTH_YEAR = "M Y"  # Dec 2026 (chart axes)
HAVEN_MONTH_DAY = "M j"  # Dec 1
HAVEN_LONG_MONTH_DAY = "F j"  # December 1
HAVEN_TIME_ZONE = "g:i A T"  # 7:30 PM EST
HAVEN_LONG_DATE = "F j, Y"  # December 1, 2026
HAVEN_WEEKDAY_DATE = "l, F j, Y"  # Tuesday, December 1, 2026
HAVEN_WEEKDAY_DATETIME = "l, F j, Y, g:i A"  # Tuesday, December 1, 2026, 7:30 PM
HAVEN_WEEKDAY_DATETIME_ZONE = "l, F j, g:i A T"  # Tuesday, December 1, 7:30 PM EST
HAVEN_SHORT_DAY = "D, M j"  # Tue, Dec 1
HAVEN_SHORT_DAY_TIME = "D, M j, g:i A"  # Tue, Dec 1, 7:30 PM
HAVEN_SHORT_DAY_TIME_ZONE = "D, M j, g:i A T"  # Tue, Dec 1, 7:30 PM EST
HAVEN_SHORT_DAY_YEAR_TIME = "D, M j, Y, g:i A"  # Tue, Dec 1, 2026, 7:30 PM
HAVEN_MONTH_DAY_TIME = "M j, g:i A"  # Dec 1, 7:30 PM
HAVEN_MONTH_DAY_TIME_ZONE = "M j, g:i A T"  # Dec 1, 7:30 PM EST
HAVEN_DATE_TIME_24 = "M j, Y H:i"  # Dec 1, 2026 19:30 (staff lists)
