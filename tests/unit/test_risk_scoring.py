"""The risk scoring rules (trigger.domain.risk): yes answers add their weight; thresholds give High/Medium/Low."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trigger.domain.risk import (
    DEFAULT_THRESHOLDS,
    MAX_WEIGHT,
    Answer,
    Level,
    RiskThresholds,
    assess,
    check_answers,
    level_for,
)


def answers(*pairs: tuple[int, bool | None]) -> list[Answer]:
    return [Answer(question_id=i, weight=w, yes=yes) for i, (w, yes) in enumerate(pairs, start=1)]


@pytest.mark.parametrize(
    ("pairs", "level", "score"),
    [
        pytest.param([(3, False), (2, False)], Level.LOW, 0, id="all no is low"),
        pytest.param([(3, True), (2, True)], Level.LOW, 5, id="just under medium is low"),
        pytest.param([(3, True), (3, True)], Level.MEDIUM, 6, id="medium threshold is inclusive"),
        pytest.param([(3, True)] * 3 + [(2, True)], Level.MEDIUM, 11, id="just under high is medium"),
        pytest.param([(3, True)] * 4, Level.HIGH, 12, id="high threshold is inclusive"),
        pytest.param([(10, True), (10, True), (0, True)], Level.HIGH, 20, id="a zero-weight yes adds nothing"),
    ],
)
def test_levels_from_the_default_thresholds(pairs, level, score):
    result = assess(answers(*pairs))
    assert (result.level, result.score) == (level, score)
    assert result.max_score == sum(w for w, _ in pairs)
    assert result.summary.startswith(f"{level.value.capitalize()} risk: a score of {score} out of")


def test_custom_thresholds():
    thresholds = RiskThresholds(high_from=4, medium_from=2)
    assert assess(answers((2, True), (2, False)), thresholds).level is Level.MEDIUM
    assert assess(answers((2, True), (2, True)), thresholds).level is Level.HIGH


@pytest.mark.parametrize(("high", "medium"), [(5, 5), (4, 6), (5, 0)])
def test_meaningless_thresholds_are_refused(high, medium):
    with pytest.raises(ValueError):
        RiskThresholds(high_from=high, medium_from=medium)


def test_a_half_done_assessment_is_refused_not_scored_as_no():
    partial = answers((3, True), (2, None))
    assert check_answers(partial) == ["Question 2 is not answered."]
    with pytest.raises(ValueError, match="not answered"):
        assess(partial)


def test_no_questions_duplicates_and_bad_weights_are_problems():
    assert check_answers([]) == ["There are no questions to answer: an administrator needs to add some."]
    assert "Question 1 is answered more than once." in check_answers([Answer(1, 1, True), Answer(1, 1, False)])
    assert check_answers([Answer(1, MAX_WEIGHT + 1, True)]) == [f"Question 1 has a weight outside 0 to {MAX_WEIGHT}."]
    assert check_answers([Answer(1, True, True)])  # a bool is not a weight


weights = st.integers(min_value=0, max_value=MAX_WEIGHT)
questionnaires = st.lists(st.tuples(weights, st.booleans()), min_size=1, max_size=20)


@given(questionnaires, st.data())
def test_turning_a_no_into_a_yes_never_lowers_the_level(pairs, data):
    order = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    more = list(pairs)
    more[index] = (pairs[index][0], True)
    assert order[assess(answers(*more)).level] >= order[assess(answers(*pairs)).level]


@given(questionnaires, st.randoms())
def test_the_order_of_the_questions_never_matters(pairs, random):
    shuffled = answers(*pairs)
    random.shuffle(shuffled)
    assert assess(shuffled) == assess(answers(*pairs))


@given(st.integers(min_value=0, max_value=200))
def test_level_for_agrees_with_the_thresholds(score):
    level = level_for(score)
    if score >= DEFAULT_THRESHOLDS.high_from:
        assert level is Level.HIGH
    elif score >= DEFAULT_THRESHOLDS.medium_from:
        assert level is Level.MEDIUM
    else:
        assert level is Level.LOW


def test_the_module_is_pure():
    source = Path(__file__).resolve().parents[2] / "trigger" / "domain" / "risk.py"
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "collections", "dataclasses", "enum"}
