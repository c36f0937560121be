# Dutch dates as Business Central shows them (31-01-2026); ISO dates are read too.
DATE_FORMAT = "d-m-Y"
SHORT_DATE_FORMAT = "d-m-Y"
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
