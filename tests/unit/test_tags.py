"""GOV.UK Frontend 6 tags: blue is the default tag, and govuk-tag--blue (and light-blue, turquoise, pink) no
longer exist, so a page that asks for one must get the plain tag, not an unstyled class."""

from __future__ import annotations

from pathlib import Path

from trigger.templating import tag

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_blue_tag_is_the_default_tag():
    assert tag("Queued", "blue") == '<strong class="govuk-tag">Queued</strong>'
    assert tag("Queued") == '<strong class="govuk-tag">Queued</strong>'


def test_other_colours_keep_their_modifier():
    assert tag("Failed", "red", "app-rag") == '<strong class="govuk-tag govuk-tag--red app-rag">Failed</strong>'


def test_no_template_writes_a_tag_colour_that_version_6_removed():
    removed = ("govuk-tag--blue", "govuk-tag--light-blue", "govuk-tag--turquoise", "govuk-tag--pink")
    found = [
        f"{path.relative_to(TEMPLATES)}: {name}"
        for path in TEMPLATES.rglob("*.html")
        for name in removed
        if name in path.read_text()
    ]
    assert found == []
