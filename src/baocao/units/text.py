"""Text folding for accent- and case-insensitive matching of Vietnamese."""
import unicodedata


def fold(text):
    """Lower case without accents: "Trường THPT Trần Phú" -> "truong thpt tran phu", "Đ" -> "d"."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower().strip()
