"""Text folding for accent- and case-insensitive matching of Vietnamese."""
import unicodedata


def fold(text, *, lower=True):
    """Without accents, lower case: "Trường THPT Trần Phú" -> "truong thpt tran phu", "Đ" -> "d"."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").strip()
    return text.lower() if lower else text
