"""Spanish dates and times: Django's Spanish formats (day before month, 24-hour clock), with the
same HAVEN_* names as core/formats/en/formats.py. Month and day names come from Django's
catalogue ("diciembre", "martes")."""

HAVEN_DATE = r"j \d\e b \d\e Y"  # 1 de dic de 2026
HAVEN_TIME = "H:i"  # 19:30
HAVEN_MONTH_YEAR = r"F \d\e Y"  # diciembre de 2026
HAVEN_SHORT_MONTH_YEAR = r"b Y"  # dic 2026
HAVEN_MONTH_DAY = r"j \d\e b"  # 1 de dic
HAVEN_LONG_MONTH_DAY = r"j \d\e F"  # 1 de diciembre
HAVEN_TIME_ZONE = "H:i T"
HAVEN_LONG_DATE = r"j \d\e F \d\e Y"
HAVEN_WEEKDAY_DATE = r"l, j \d\e F \d\e Y"
HAVEN_WEEKDAY_DATETIME = r"l, j \d\e F \d\e Y, H:i"
HAVEN_WEEKDAY_DATETIME_ZONE = r"l, j \d\e F, H:i T"
HAVEN_SHORT_DAY = r"D j \d\e b"
HAVEN_SHORT_DAY_TIME = r"D j \d\e b, H:i"
HAVEN_SHORT_DAY_TIME_ZONE = r"D j \d\e b, H:i T"
HAVEN_SHORT_DAY_YEAR_TIME = r"D j \d\e b \d\e Y, H:i"
HAVEN_MONTH_DAY_TIME = r"j \d\e b, H:i"
HAVEN_MONTH_DAY_TIME_ZONE = r"j \d\e b, H:i T"
HAVEN_DATE_TIME_24 = r"j \d\e b \d\e Y H:i"
