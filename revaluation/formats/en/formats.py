# English pages show short dates as ISO dates (2026-01-31), as the app always has.
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
