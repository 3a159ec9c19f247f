"""Settings for newsarchive, read from environment variables.

Every setting has an embedded default so the archive runs with no setup: SQLite and a Whoosh
index under ``NEWSARCHIVE_VAR_DIR`` (``var/``). Production points ``DATABASE_URL`` at
PostgreSQL and sets ``SECRET_KEY``, ``DEBUG=0`` and ``ALLOWED_HOSTS``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# numpy (the facet counts) does no linear algebra here, and its OpenBLAS would otherwise start a
# thread per extra core in every process on importing: idle, but in every gunicorn worker, and a
# process with threads warns when it forks (the import's indexing process). Read at numpy's import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    truthy, falsy = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
    if value.lower() in truthy:
        return True
    if value.lower() in falsy:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_float(name: str, default: float, low: float, high: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if not low <= number <= high:
        raise ImproperlyConfigured(f"{name}={value!r} is outside {low}…{high}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
NEWSARCHIVE_HTTPS = env_bool("NEWSARCHIVE_HTTPS", False)
# Serving over HTTPS means a real deployment; NEWSARCHIVE_PRODUCTION=1 says so without HTTPS.
NEWSARCHIVE_PRODUCTION = env_bool("NEWSARCHIVE_PRODUCTION", NEWSARCHIVE_HTTPS)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if NEWSARCHIVE_PRODUCTION and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: a production archive (NEWSARCHIVE_PRODUCTION=1 or NEWSARCHIVE_HTTPS=1) "
            "needs a random key of 50 or more characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    # Development and demo only: a fixed key is fine for an archive running on 127.0.0.1. The
    # "django-insecure-" prefix makes `check --deploy` flag it if it ever reaches a server.
    SECRET_KEY = "django-insecure-newsarchive-development-key-never-use-it-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("NEWSARCHIVE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its folder

INSTALLED_APPS = [
    "articles.apps.ArchiveAdminConfig",  # django.contrib.admin with the editors' dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "simple_history",
    "axes",
    "csp",
    "django_ratelimit",
    "articles",  # before haystack: its rebuild_index, update_index and clear_index serve both engines
    "haystack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.ContentSecurityPolicyMiddleware",
    "articles.middleware.PermissionsPolicyMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a limited API request → articles.ratelimit
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed logins, locks out after the limit
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Reader pages need nothing but our own files, and no inline script anywhere; the admin's pages
# also allow inline styles (articles.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Requests per client per minute on /api/ (0 turns the limit off).
NEWSARCHIVE_API_RATE = env_int("NEWSARCHIVE_API_RATE", 120)
# Behind a reverse proxy that sets X-Forwarded-For, count clients by that header.
NEWSARCHIVE_TRUST_X_FORWARDED_FOR = env_bool("NEWSARCHIVE_TRUST_X_FORWARDED_FOR", False)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "articles.ratelimit.too_many_requests"
# The counts live in files all workers of this machine share, with atomic increments; the stock
# backends django-ratelimit knows are memcached and Redis, hence its warning.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "articles.cache.SharedCounterCache",
        "LOCATION": str(VAR_DIR / "cache" / "ratelimit"),
        # One file per client per minute; past MAX_ENTRIES the file cache deletes a third at
        # random, counts included, so leave room for many clients.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

ROOT_URLCONF = "newsarchive.urls"
WSGI_APPLICATION = "newsarchive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (gunicorn workers) go on while an import or an editor writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests run on a file too, not SQLite's in-memory shared cache: that cache locks whole tables
    # and fails at once where a file waits its busy timeout, so a test with a background thread
    # (an upload's import) would meet locks no deployment has. One file per test process: two
    # test runs in one checkout would otherwise delete each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی")]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic`; production turns them on, tests and the demo
        # serve straight from static/ through WhiteNoise's finders.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("NEWSARCHIVE_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("NEWSARCHIVE_MANIFEST_STATIC", False)

# Search. The app asks one engine (articles.search.engine) for everything it searches; the
# embedded Whoosh engine keeps its index next to the database, on this machine. The query is
# analyzed in Python (persian/) and handed to the engine as terms, which it must not analyze again.
# NEWSARCHIVE_SEARCH picks the engine: "whoosh" (embedded, a folder on this machine) or "postgres"
# (the index in the archive's PostgreSQL database, shared by every web machine). It is the one
# switch; NEWSARCHIVE_SEARCH_ENGINE is the class it resolves to (tests may point it elsewhere).
NEWSARCHIVE_SEARCH = env_choice("NEWSARCHIVE_SEARCH", "whoosh", ("whoosh", "postgres"))
NEWSARCHIVE_SEARCH_ENGINE = {
    "whoosh": "articles.search.whoosh.engine.WhooshSearchEngine",
    "postgres": "articles.search.postgres.engine.PostgresSearchEngine",
}[NEWSARCHIVE_SEARCH]
if NEWSARCHIVE_SEARCH == "postgres" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "NEWSARCHIVE_SEARCH=postgres keeps the search index in the archive's PostgreSQL database, but "
        f"DATABASE_URL is not PostgreSQL (engine {DATABASES['default']['ENGINE']}): set "
        "DATABASE_URL=postgres://user:password@host:5432/name, or NEWSARCHIVE_SEARCH=whoosh"
    )
if env_str("SEARCH_URL", ""):
    raise ImproperlyConfigured(
        "SEARCH_URL is no longer read: the archive searches its embedded Whoosh index (var/whoosh); "
        "unset SEARCH_URL (no external search server is supported yet)"
    )
# How words rank: "all" (every word, then most words) or "any" (BM25 with Lucene's idf over an OR
# of the words, "+word" required). BM25's term-frequency saturation (k1) and length normalization
# (b) apply to both.
SEARCH_MATCH = env_choice("NEWSARCHIVE_SEARCH_MATCH", "any", ("all", "any"))
SEARCH_BM25_K1 = env_float("NEWSARCHIVE_BM25_K1", 2.0, 0.0, 10.0)
SEARCH_BM25_B = env_float("NEWSARCHIVE_BM25_B", 0.65, 0.0, 1.0)
WHOOSH_PATH = VAR_DIR / "whoosh"
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "articles.search.whoosh.backend.PersianWhooshEngine",
        "PATH": str(WHOOSH_PATH),
        "BATCH_SIZE": 500,
        # Off: index files are read, not mapped. Workers' RSS then stays flat as the archive
        # grows (mapped pages count in RSS, though the page cache shares them), for ~35% more
        # CPU per search.
        "MMAP": env_bool("NEWSARCHIVE_WHOOSH_MMAP", True),
    }
}
# The archive indexes one model; filtering by registered models costs ~10x per query on Whoosh.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
# Index changes are applied by articles.search.signals on transaction commit, serialized by a lock.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

LOGIN_URL = "admin:login"
# Uploads in the admin of this many articles or more are imported in a background thread.
NEWSARCHIVE_UPLOAD_BACKGROUND_FROM = env_int("NEWSARCHIVE_UPLOAD_BACKGROUND_FROM", 100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
if NEWSARCHIVE_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The reverse proxy in front terminates TLS and sets X-Forwarded-Proto (dropping any the client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
