"""Run-time parameters (THIẾT LẬP THÔNG SỐ). `current()` gives the values in force."""


def current():
    from .services import current as _current

    return _current()
