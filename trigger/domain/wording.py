"""Small rules of English the letters and pages need, kept in one place.

"an ASB Case Review" but "a Community Trigger": the article follows the sound of the first letter ("ay-ess-bee"),
not its spelling, so an initialism starting with A, E, F, H, I, L, M, N, O, R, S or X takes "an".
"""

from __future__ import annotations

__all__ = ["FINDINGS_EXAMPLES", "findings_problem", "for_the_public", "with_article"]

_VOWEL_SOUND_INITIALS = set("AEFHILMNORSX")


def with_article(name: str, capital: bool = False) -> str:
    """`name` with "a" or "an" before it ("an ASB Case Review", "a Community Trigger")."""
    name = (name or "").strip()
    first_word = name.split(" ", 1)[0]
    if first_word.isupper() and len(first_word) > 1:
        vowel_sound = first_word[0] in _VOWEL_SOUND_INITIALS
    else:
        vowel_sound = name[:1].lower() in "aeiou"
    article = "an" if vowel_sound else "a"
    return f"{article.capitalize() if capital else article} {name}"


_EXPLAINED = (
    ("Integrated Care Board", "NHS health services"),
    ("Local Health Board", "NHS health services in Wales"),
)


def for_the_public(agency_name: str) -> str:
    """An agency's name as a victim reads it: names few people know are explained ("Severn Vale Integrated Care
    Board (NHS health services)")."""
    for words, meaning in _EXPLAINED:
        if words.lower() in (agency_name or "").lower() and meaning.lower() not in agency_name.lower():
            return f"{agency_name} ({meaning})"
    return agency_name


#: What the outcome letter said when nobody wrote anything: it tells the applicant nothing about their case.
FINDINGS_BOILERPLATE = "The agencies looked at every incident you reported and what each of them did about it."
FINDINGS_EXAMPLES = (
    "The police and the council each dealt with your reports separately and did not share what they knew.",
    "Nobody told you what was being done after you reported the damage in March.",
    "The housing officer's warning letters were the right step, but nobody checked whether they worked.",
)


def findings_problem(text: str) -> str | None:
    """Why the outcome letter's "What the review found" cannot go out as written, or None. It is the part of the
    letter the applicant waited for: it must be written for this case, not left blank or to the stock sentence."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return (
            "Enter what the review found: what the agencies did well, what they could have done better, "
            "in plain English"
        )
    if cleaned.rstrip(".").lower() == FINDINGS_BOILERPLATE.rstrip(".").lower():
        return "Write what the review found in this case, not the standard sentence"
    return None
