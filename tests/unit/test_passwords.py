"""Password rules: length, the shipped list of common passwords, and argon2id hashing."""

import pytest

from trigger.auth.passwords import hash_password, needs_rehash, password_problems, verify_password


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "at least 12 characters"),
        ("elevenchars", "at least 12 characters"),
        ("x" * 257, "256 characters or fewer"),
        ("aaaaaaaaaaaaaaaa", "repeated"),
        ("abababababababab", "repeated"),
        ("password123456", "too common"),
        ("Password123456!", "too common"),
        ("qwertyuiop123", "too common"),
        ("1234567890123", "too common"),
        ("!!Sunshine2024!!", "too common"),
        ("jsmith-is-my-password-x", "email address"),
        ("my name is Joanna Smith", "your name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, message):
    problems = password_problems(password, email="jsmith@example.org", name="Joanna Smith")
    assert problems and message in problems[0]


@pytest.mark.parametrize("password", ["correct horse battery staple", "violet kettle harbour", "Tq9#mW2!xZ4$"])
def test_strong_passwords_pass(password):
    assert password_problems(password, email="jsmith@example.org", name="Joanna Smith") == []


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("violet kettle harbour", "test")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "violet kettle harbour", "test")
    assert not verify_password(hashed, "violet kettle harbouR", "test")
    assert not verify_password("not a hash", "anything", "test")


def test_production_profile_is_stronger_and_upgrades_test_hashes():
    weak = hash_password("violet kettle harbour", "test")
    assert needs_rehash(weak, "production")
    assert "m=65536" in hash_password("violet kettle harbour", "production")


@pytest.mark.parametrize(
    "password", ["123456789012", "qwertyuiopas", "abcdefghijkl", "passwordpassword", "letmeinletmein"]
)
def test_guessable_passwords_of_twelve_characters_are_refused_with_the_estimators_reason(password):
    problems = password_problems(password, email="jsmith@example.org", name="Joanna Smith")
    assert problems, f"{password!r} was accepted"
    assert problems[0].startswith("Password is too easy to guess")
    assert len(problems[0]) > len("Password is too easy to guess.")  # says why, in zxcvbn's words


def test_the_persons_name_and_email_count_as_guessable():
    # Strong for a stranger, weak for Joanna Smith, whose name and email make most of it.
    assert password_problems("smithjoanna1985", email="someone@example.org", name="Pat Brown") == []
    problems = password_problems("smithjoanna1985", email="jsmith@example.org", name="Joanna Smith")
    assert problems


def test_the_test_and_demo_passwords_still_pass():
    from tests.conftest import TEST_PASSWORD

    import secrets

    assert password_problems(TEST_PASSWORD, email="user1@example.org", name="Ada Admin") == []
    for _ in range(20):  # the shape trigger.demo.county prints: four groups of six hex digits
        demo = "-".join(secrets.token_hex(3) for _ in range(4))
        assert password_problems(demo, email="ada@example.org", name="Ada Admin") == [], demo
