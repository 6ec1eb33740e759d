"""Input rules shared by the account use cases: e-mail, names, postal codes, password strength."""

from __future__ import annotations

import re

from models.accounts import Account, CompanyRight
from resolvers.errors import ErrorCode, Problems
from resolvers.passwords import dummy_hash, verify_password_async
from resolvers.policy import Policy

MAX_NAME = 200
MAX_EMAIL = 254
MAX_PASSWORD = 1024
MIN_PASSWORD = 10
PASSPHRASE = 16

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,14}$")

# Passwords every cracking list tries first; the class rule below catches most others.
_COMMON = frozenset(
    {
        "motdepasse",
        "motdepasse1",
        "motdepasse123",
        "password",
        "password1",
        "password123",
        "azertyuiop",
        "azerty1234",
        "azerty123456",
        "qwertyuiop",
        "qwerty1234",
        "qwerty123456",
        "1234567890",
        "0123456789",
        "12345678910",
        "iloveyou123",
        "jetaime123",
        "soleil1234",
        "bonjour123",
        "doudou1234",
        "marseille13",
        "123456789a",
        "a123456789",
        "abcdefghij",
        "abcd123456",
        "changeme123",
        "welcome123",
        "admin12345",
        "administrateur",
        "comptoir123",
    }
)


def normalize_email(email: str) -> str:
    """E-mails are unique case-insensitively: stored and compared lower-cased."""
    return email.strip().lower()


def check_email(problems: Problems, email: str, field: str = "email") -> None:
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        problems.invalid("Adresse e-mail invalide", field)


def check_name(problems: Problems, value: str, field: str, label: str = "Le nom") -> None:
    """Free-text names: 1 to 200 characters once trimmed."""
    if not value.strip():
        problems.invalid(f"{label} est obligatoire", field)
    elif len(value.strip()) > MAX_NAME:
        problems.invalid(f"{label} dépasse {MAX_NAME} caractères", field)


def check_postal_code(problems: Problems, value: str | None, field: str = "postalCode") -> None:
    if value is not None and not _POSTAL_CODE.match(value.strip()):
        problems.invalid("Code postal invalide", field)


def check_password(problems: Problems, password: str, field: str = "password") -> None:
    """WEAK_PASSWORD: under 10 characters, fewer than 5 different characters, one of the most
    common passwords, or under 16 characters of a single kind (lower-case, upper-case, digits,
    others).  Long passphrases ("correct horse battery staple") need no mix."""
    if len(password) > MAX_PASSWORD:
        problems.invalid(f"Mot de passe trop long (plus de {MAX_PASSWORD} caractères)", field)
        return
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if len(password) < MIN_PASSWORD:
        message = f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères"
    elif len(set(password)) < 5 or password.lower() in _COMMON:
        message = "Ce mot de passe est trop facile à deviner"
    elif len(password) < PASSPHRASE and kinds < 2:
        message = (
            f"Sous {PASSPHRASE} caractères, le mot de passe doit mêler au moins deux "
            "sortes de caractères (minuscules, majuscules, chiffres, symboles)"
        )
    else:
        return
    problems.add(ErrorCode.WEAK_PASSWORD, message, field)


def clean_rights(rights: list[CompanyRight]) -> list[str]:
    """Rights stored once each, in the enum's order (stable output for the API)."""
    wanted = set(rights)
    return [r.value for r in CompanyRight if r in wanted]


async def password_matches(account: Account | None, password: str, *, policy: Policy) -> bool:
    """Checks the password; an unknown account costs the same argon2 run as a known one."""
    if account is None:
        await verify_password_async(dummy_hash(policy=policy), password)
        return False
    return await verify_password_async(account.password_hash, password)
