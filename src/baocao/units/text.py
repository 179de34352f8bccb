"""Text folding for accent- and case-insensitive matching of Vietnamese."""
import unicodedata


def fold(text, *, lower=True):
    """Without accents, lower case: "Trường THPT Trần Phú" -> "truong thpt tran phu", "Đ" -> "d"."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").strip()
    return text.lower() if lower else text


# Control characters no stored text may hold (tab, line feed and carriage return stay): a NUL
# cannot even be stored by PostgreSQL, and the others are invisible in every page and file.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def clean_text(text):
    """Text as it is stored and compared: NFC, one spelling of each Vietnamese letter
    whatever the keyboard or file sent ("ồ" typed as o + ̂ + ̀ is the same "ồ"), and no
    control characters. Non-text values pass through unchanged."""
    if not isinstance(text, str):
        return text
    return unicodedata.normalize("NFC", text.translate(_CONTROL))


def has_control(text):
    return text != text.translate(_CONTROL)
