# One image for every Haven process; docker-compose.yml gives each service its own command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    HAVEN_VAR_DIR=/app/var

WORKDIR /app
RUN groupadd --system haven && useradd --system --gid haven --home /app haven

# Debian packages the site needs (the fonts PDFs print names with): the script's runtime list.
COPY scripts/debian-packages.sh scripts/
RUN scripts/debian-packages.sh --runtime && rm -rf /var/lib/apt/lists/*

# Dependencies first (cached while only code changes): pyproject.toml lists them pinned.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# collectstatic needs the production settings to import; these build-time values go nowhere else.
RUN DJANGO_SECRET_KEY=collectstatic DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    STRIPE_SECRET_KEY=unused STRIPE_WEBHOOK_SECRET=unused \
    python manage.py collectstatic --noinput \
    && python manage.py catalogue compile \
    && mkdir -p /app/var/media && chown -R haven:haven /app/var

USER haven
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
