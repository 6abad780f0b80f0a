# Uzbek in Cyrillic script: Django's "uz" formats with the Cyrillic word for "year".
DATE_FORMAT = "j-E, Y-йил"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "j-E, Y-йил G:i"
YEAR_MONTH_FORMAT = "F Y-йил"
MONTH_DAY_FORMAT = "j-E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
