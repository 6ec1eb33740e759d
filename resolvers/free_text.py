"""Free-text inputs (names, addresses, remarks, reasons): trimmed, None when blank, bounded,
each refusal worded once."""

from __future__ import annotations

from resolvers.errors import Problems

MAX_TEXT = 200
MAX_REMARK = 2000


def clean_text(
    problems: Problems, value: str | None, field: str, *, required: bool, limit: int = MAX_TEXT
) -> str | None:
    """`value` stripped, None when blank; INVALID_INPUT naming `field` when blank but required
    or longer than `limit`."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            problems.invalid("Champ obligatoire.", field)
        return None
    if len(cleaned) > limit:
        problems.invalid(f"{limit} caractères au maximum.", field)
    return cleaned


def clean_remark(value: str | None, field: str, *, required: bool) -> str | None:
    """A free text standing alone (a remark, reason or message): `clean_text` up to
    MAX_REMARK characters, refused at once."""
    with Problems() as problems:
        return clean_text(problems, value, field, required=required, limit=MAX_REMARK)
