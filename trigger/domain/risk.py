"""The risk and vulnerability assessment: yes/no answers to a weighted questionnaire give High, Medium or Low.

An administrator edits the questions and their weights (trigger.risk); this module only scores. Each question
answered "yes" adds its weight; the total is compared with the thresholds. Every question must be answered:
a half-done risk matrix is one of the failures DOMAIN.md section 8 lists, so a partial assessment is refused
rather than scored as if the missing answers were "no".

Pure: standard library only, no Flask, no database. The web layer passes each question's id, weight and answer
and stores the result with a snapshot of the questions, so a past assessment reads the same after the
questionnaire changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_WEIGHT = 10


class Level(StrEnum):
    """The same values as trigger.models.RiskLevel, so the web layer converts with RiskLevel(level.value)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class RiskThresholds:
    """A total of `high_from` or more is High; `medium_from` or more is Medium; anything less is Low."""

    high_from: int = 12
    medium_from: int = 6

    def __post_init__(self) -> None:
        if not (isinstance(self.medium_from, int) and isinstance(self.high_from, int)):
            raise ValueError("Risk thresholds must be whole numbers")
        if self.medium_from < 1:
            raise ValueError("The Medium threshold must be at least 1: a score of 0 is always Low")
        if self.high_from <= self.medium_from:
            raise ValueError("The High threshold must be above the Medium threshold")


DEFAULT_THRESHOLDS = RiskThresholds()


@dataclass(frozen=True)
class Answer:
    """One question's answer: `yes` is None while unanswered."""

    question_id: int | str
    weight: int
    yes: bool | None


@dataclass(frozen=True)
class RiskResult:
    level: Level
    score: int
    max_score: int
    yes_count: int
    summary: str


def check_answers(answers: Sequence[Answer]) -> list[str]:
    """The problems that stop `answers` being scored (empty when there are none)."""
    problems: list[str] = []
    if not answers:
        problems.append("There are no questions to answer: an administrator needs to add some.")
    seen: set[int | str] = set()
    for answer in answers:
        if answer.question_id in seen:
            problems.append(f"Question {answer.question_id} is answered more than once.")
        seen.add(answer.question_id)
        if (
            isinstance(answer.weight, bool)
            or not isinstance(answer.weight, int)
            or not 0 <= answer.weight <= MAX_WEIGHT
        ):
            problems.append(f"Question {answer.question_id} has a weight outside 0 to {MAX_WEIGHT}.")
        if answer.yes is None:
            problems.append(f"Question {answer.question_id} is not answered.")
    return problems


def assess(answers: Sequence[Answer], thresholds: RiskThresholds = DEFAULT_THRESHOLDS) -> RiskResult:
    """Score the answers. Raises ValueError when any question is unanswered (see `check_answers`)."""
    problems = check_answers(answers)
    if problems:
        raise ValueError("Cannot score the risk assessment: " + " ".join(problems))
    score = sum(a.weight for a in answers if a.yes)
    max_score = sum(a.weight for a in answers)
    yes_count = sum(1 for a in answers if a.yes)
    level = level_for(score, thresholds)
    summary = (
        f"{level.value.capitalize()} risk: a score of {score} out of {max_score}"
        f" ({yes_count} “yes” answer{'' if yes_count == 1 else 's'}). High is {thresholds.high_from} or more,"
        f" Medium {thresholds.medium_from} or more."
    )
    return RiskResult(level=level, score=score, max_score=max_score, yes_count=yes_count, summary=summary)


def level_for(score: int, thresholds: RiskThresholds = DEFAULT_THRESHOLDS) -> Level:
    if score >= thresholds.high_from:
        return Level.HIGH
    if score >= thresholds.medium_from:
        return Level.MEDIUM
    return Level.LOW
