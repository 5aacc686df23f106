"""A bare Django project (one view, no apps, no middleware) that bench.sidebyside serves with the same
gunicorn settings as Haven: the yardstick its pages are measured against."""
