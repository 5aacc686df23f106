import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Load what the first request would otherwise load (config/warmup.py); with gunicorn's preload_app
# this runs once in the master, before the workers fork. HAVEN_WARM_UP=0 skips it (to measure it).
if os.environ.get("HAVEN_WARM_UP", "1") != "0":
    from config.warmup import warm_up

    warm_up()
