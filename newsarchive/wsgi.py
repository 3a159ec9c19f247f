"""WSGI entry point for gunicorn: ``gunicorn newsarchive.wsgi --preload``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")

application = get_wsgi_application()

# Load the Persian lexicons and hazm's Normalizer now (~5 s), before gunicorn forks its workers
# (with --preload), so no reader's first request pays for it and the workers share the memory.
import persian  # noqa: E402

persian.terms("گرم کردن")
persian.display("گرم کردن")

# The index's facet values too (a worker's first search would decode them: ~0.75 s at 100,000).
from articles.search import service as search  # noqa: E402

search.warm()

# Keep what was loaded out of the garbage collector's reach, so the forked workers keep sharing
# those pages instead of copying them when a collection touches their reference counts.
gc.freeze()
