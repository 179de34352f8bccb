"""Numbers as Vietnamese officials write them: 1.234.567,5."""
from decimal import Decimal


def vn_number(value, decimals=0):
    """'1.234.567,5' for Decimal('1234567.5'); '' for None. Trailing zeros of the fraction
    are dropped, never digits: a Decimal is shown exactly."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")
