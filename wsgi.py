"""WSGI entry point: `gunicorn wsgi:app`; every setting comes from the environment."""

from riskapp import create_app

app = create_app()
