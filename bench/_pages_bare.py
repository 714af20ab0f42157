"""The bare reference of bench/pages.py: Django's default middleware (as `startproject` writes
it) and one ORM view that returns the 20 newest rows of one school from a 1M-row table as JSON.
Served by its own gunicorn, with the same flags as the application's, in the same run:
a page's throughput is read as a share of this one's.

Used as DJANGO_SETTINGS_MODULE (`_pages_bare`, with bench/ on the Python path); the table
`bench_bare_row` is made by bench/pages.py in the bench's own database.
"""

from config.settings import *  # noqa: F403

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "_pages_bare_urls"
