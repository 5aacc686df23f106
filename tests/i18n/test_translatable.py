"""New strings cannot slip in untranslatable.

1. Every template: no word a reader sees outside {% translate %} / {% blocktranslate %}
   (tests/i18n/template_text.py reads each template's source, every branch and every email).
   Every template is tagged: one untagged word anywhere fails.
2. The catalogues (locale/): up to date with the code, and no Spanish entry untranslated or fuzzy
   (core/catalogue.py; `make test` runs the same check as `manage.py catalogue check`).
"""

from pathlib import Path

from django.conf import settings

from core import catalogue
from tests.i18n.template_text import template_files, untranslated_words

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Developer tools of the demo (served only with DEBUG): not part of the site anyone else sees.
EXEMPT_PREFIXES = ("dev/",)


def _untagged() -> dict[str, list[str]]:
    found = {}
    for path in template_files(TEMPLATES):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(EXEMPT_PREFIXES):
            continue
        words = untranslated_words(path.read_text(encoding="utf-8"))
        if words:
            found[name] = words
    return found


def test_every_template_shows_only_translated_words():
    found = _untagged()

    assert not found, "Words outside {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        f"  {name}: {' '.join(words[:15])}" for name, words in sorted(found.items())
    )


def test_the_lint_sees_text_attributes_and_branches_but_not_translated_words():
    source = """{% load i18n %}<p title="Shown on hover">
    {% if a %}Plain words{% else %}{% translate "Fine" %}{% endif %}</p>
    <img alt="{% translate 'Fine too' %}"><script>const notText = "x y";</script><!-- a comment -->
    {% blocktranslate trimmed %}Also {{ fine }}{% endblocktranslate %} {{ variable }} 42 &middot;"""

    assert untranslated_words(source) == ["Shown", "on", "hover", "Plain", "words"]


def test_the_catalogues_are_up_to_date_and_complete():
    problems = catalogue.problems()

    assert not problems, "Run `make messages`, then translate:\n" + "\n".join(problems)
