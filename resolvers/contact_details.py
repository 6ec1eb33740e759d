"""Detection of attempted off-platform contact in a helpdesk message body.

The helpdesk policy forbids taking the conversation off the platform; messages carrying an
e-mail address, phone number, web address or bank account are flagged for the admin.
"""

from __future__ import annotations

import re

__all__ = ["find_contact_details"]


def _mod97_iban(number: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", number):
        return False
    digits = "".join(str(int(c, 36)) for c in number[4:] + number[:4])
    return int(digits) % 97 == 1


def _is_iban(number: str) -> bool:
    try:
        from stdnum import iban
    except ImportError:  # pragma: no cover - python-stdnum is a project dependency
        return _mod97_iban(number)
    # Besides mod 97, stdnum checks each country's length and national check digits.
    return iban.is_valid(number)


_TLDS = (
    "com|fr|net|org|eu|io|be|ch|de|lu|it|es|nl|uk|co|me|info|biz|shop|store|site|online"
    "|app|dev|xyz|tv|us|ca|pro|bzh|paris"
)
# Spelled-out forms ("monsite point com") use a narrower list: "point de", "point eu",
# "point info" and "point me" are everyday French.
_SPELLED_TLDS = "com|fr|net|org|io|biz|shop|store|online"

_BRACKETED_DOT = r"[\[({<]\s*(?:dot|point|\.)\s*[\])}>]"
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|arobase|@)\s*[\])}>]\s*|\s+(?:at|arobase)\s+)"
_DOT = rf"(?:\s*\.\s*|\s*{_BRACKETED_DOT}\s*|\s+(?:dot|point)\s+)"

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
# Obfuscated addresses must end in a known TLD, or "Bonjour @ tous. Merci" would match.
_LOOSE_EMAIL = re.compile(
    rf"(?<![\w.%+-])[\w.%+-]+{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*?{_DOT}(?:{_TLDS})\b",
    re.IGNORECASE,
)
_URL = re.compile(
    rf"\b(?:https?://|www\.)\S+"
    rf"|(?<![\w.@-])(?:[a-z0-9][a-z0-9-]*[a-z0-9]\.)+(?:{_TLDS})\b(?![.-]?\w)"
    rf"|(?<![\w.-])[a-z0-9][a-z0-9-]*[a-z0-9]\s*(?:{_BRACKETED_DOT}|\s(?:dot|point)\s)"
    rf"\s*(?:{_SPELLED_TLDS})\b",
    re.IGNORECASE,
)
# One separator reused between the pairs of digits: "01.12.2026 10h" is a date, not a phone.
_FRENCH_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?0?|0)[1-9]"
    r"(?P<sep>[ ./-]?)\d{2}(?:(?P=sep)\d{2}){3}(?!\d)"
)
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+\d(?:\d|[ .-](?=\d)|\s?\(\d{1,4}\)\s?(?=\d))*")
_INTERNATIONAL_00_PHONE = re.compile(r"(?<!\w)00[1-9](?:\d|[ .-](?=\d))*")
_AMOUNT_FOLLOWS = re.compile(r"[.,]\d|\s*(?:€|eur\b|euros?\b|\$|usd\b|%)", re.IGNORECASE)
_IBAN_START = re.compile(r"(?<![a-z0-9])[a-z]{2}\d{2}(?:[ -]?[a-z0-9]){11,40}", re.IGNORECASE)


def _phone_digits_ok(match: re.Match[str], text: str) -> bool:
    if _AMOUNT_FOLLOWS.match(text, match.end()):
        return False
    return 8 <= sum(c.isdigit() for c in match.group()) <= 15


def _has_phone(text: str) -> bool:
    if _FRENCH_PHONE.search(text):
        return True
    if any(_phone_digits_ok(m, text) for m in _INTERNATIONAL_PHONE.finditer(text)):
        return True
    for m in _INTERNATIONAL_00_PHONE.finditer(text):
        # "0042 1 250" is a reference then a quantity; real numbers group digits by 2 or more.
        groups = re.split(r"[ .-]", m.group())
        if all(len(g) >= 2 for g in groups) and _phone_digits_ok(m, text):
            return True
    return False


def _iban_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _IBAN_START.finditer(text):
        # The run may swallow the words after the IBAN: try each length ending a word.
        chars = [(i, c) for i, c in enumerate(m.group(), m.start()) if c.isalnum()]
        compact = "".join(c for _, c in chars).upper()
        for length in range(min(len(compact), 34), 14, -1):
            end = chars[length - 1][0] + 1
            if (end == len(text) or not text[end].isalnum()) and _is_iban(compact[:length]):
                spans.append((m.start(), end))
                break
    return spans


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def find_contact_details(body: str) -> list[str]:
    """Kinds of contact details in `body`, among "email", "phone", "url", "iban"."""
    found: list[str] = []
    # Each kind is blanked once found so its digits or dots are not reported again as another.
    text = body
    iban = _iban_spans(text)
    text = _blank(text, iban)
    email = _spans(_EMAIL, text) + _spans(_LOOSE_EMAIL, text)
    text = _blank(text, email)
    url = _spans(_URL, text)
    text = _blank(text, url)
    if email:
        found.append("email")
    if _has_phone(text):
        found.append("phone")
    if url:
        found.append("url")
    if iban:
        found.append("iban")
    return found
