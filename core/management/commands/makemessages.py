"""Django's makemessages, without fuzzy matching: a new string never arrives with a guessed
translation of a similar old one (for this site a near-miss can say something wrong about help or
safety). New strings arrive untranslated, and `manage.py catalogue check` fails until they are."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
