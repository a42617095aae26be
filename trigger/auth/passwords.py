"""Password rules and hashing (argon2id). Pure of Flask so the CLI and tests use the same rules."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
#: zxcvbn's score from 0 (guessable in a few tries) to 4 (very hard): 3 means "safely unguessable: moderate
#: protection from an offline attack", the level its authors recommend as the least to accept.
MIN_STRENGTH_SCORE = 3
# zxcvbn's matching grows quickly with length; what makes a long password weak shows in its first 100 characters.
_STRENGTH_CHECKED_LENGTH = 100
_COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"

# argon2-cffi's defaults are the RFC 9106 "low memory" profile (argon2id, t=3, m=64 MiB, p=4).
# The test profile keeps the same algorithm with cheap parameters so the suite stays fast.
_PROFILES = {
    "production": dict(),
    "test": dict(time_cost=1, memory_cost=1024, parallelism=1),
}


@cache
def hasher(profile: str = "production") -> PasswordHasher:
    try:
        return PasswordHasher(**_PROFILES[profile])
    except KeyError:
        raise ValueError(f"unknown password hash profile {profile!r}; use one of {sorted(_PROFILES)}") from None


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _is_common(password: str) -> bool:
    lowered = password.lower()
    # "Password123456!" is as guessable as "password": strip the usual decoration before looking it up.
    stripped = re.sub(r"[\d\W_]+$", "", re.sub(r"^[\d\W_]+", "", lowered))
    listed = common_passwords()
    return lowered in listed or (len(stripped) >= 4 and stripped in listed)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a proposed password, in words to show next to the field (empty if nothing)."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be at least {MIN_LENGTH} characters long"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    if len(set(password)) < 4:
        return ["Password must not be one or two characters repeated"]
    if _is_common(password):
        return ["Password is too common: choose a longer phrase that other people would not guess"]
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return ["Password must not contain your email address"]
    if any(len(word) >= 4 and word in lowered for word in name.lower().split()):
        return ["Password must not contain your name"]
    return _strength_problems(password, email=email, name=name)


def _strength_problems(password: str, *, email: str, name: str) -> list[str]:
    """zxcvbn's estimate, knowing the person's name and email, and its own words for what makes it guessable."""
    context = [value for value in (email, email.split("@")[0], name, *name.split()) if value]
    estimate = zxcvbn(password[:_STRENGTH_CHECKED_LENGTH], user_inputs=context)
    if estimate["score"] >= MIN_STRENGTH_SCORE:
        return []
    feedback = estimate.get("feedback") or {}
    reasons = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    why = " ".join(reason.strip() for reason in reasons if reason and reason.strip())
    return ["Password is too easy to guess" + (f". {why}" if why else ": choose a longer phrase of unrelated words")]


def hash_password(password: str, profile: str = "production") -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str, password: str, profile: str = "production") -> bool:
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, profile: str = "production") -> bool:
    return hasher(profile).check_needs_rehash(password_hash)
