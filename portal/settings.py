"""The one settings module. Everything that differs between machines comes from the environment
(or a ``.env`` file beside ``manage.py``); every variable is listed in the README."""

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: export SECRET_KEY (50+ random characters) or set DEBUG=true "
            "for local development; `make run` generates one in var/secret_key."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (usually an expired page or blocked cookies) explains itself in the site's page.
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "csp",
    "axes",
    # The admin's rich-text editor (ProseMirror); its JS and CSS are static files of the package.
    "django_prose_editor",
    "portal",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The variant comes from the URL or the reader's cookie, never the session; the page cache
    # below needs it active to resolve the URL.
    "portal.variants.middleware.VariantMiddleware",
    # Answers hits before everything below, whose headers it stores with each page (see
    # portal/pagecache.py).
    "portal.pagecache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        # Readers' pages (templates/): Jinja2, see portal/jinja2.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "environment": "portal.jinja2.environment",
            # Messages are read by the comment section itself (comments/section.py).
            "context_processors": [
                "portal.variants.context_processors.variants",
                "articles.context_processors.navigation",
                "comments.section.comment_section",
                "portal.origin.context",
            ],
        },
    },
    {
        # The admin, with its overrides in templates/admin/.
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

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL names an external PostgreSQL; without it, the embedded one (pgserver) with its
# data in EMBEDDED_PG_DIR (default var/pgdata). Nothing starts here: the embedded backend starts
# the server on its first connection in a process (portal/embedded_postgres/).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://…).")
else:
    DATABASES = {
        "default": {
            "ENGINE": "portal.embedded_postgres",
            "NAME": "portal",
            "USER": "postgres",
            "OPTIONS": {
                "data_dir": str(BASE_DIR / env.str("EMBEDDED_PG_DIR", default="var/pgdata"))
            },
        }
    }
# A new PostgreSQL connection costs ~5 ms of server CPU: keep them, but check before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side binding lets psycopg prepare the statements a connection runs again and again
# (every page's few queries), so PostgreSQL plans them once per connection instead of per
# request: planning was a third of the article page's database time. Set it to false behind a
# pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
if env.bool("DB_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Pages, rate limits and heat counters must be shared by every worker and host: Redis when
# REDIS_URL is set, else tables in PostgreSQL (with an atomic incr). Counters have an alias of
# their own so that a flood of distinct pages can never evict them.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        },
        "counters": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal") + ":counters",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.PostgresCache",
            "LOCATION": "portal_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
        # Rate limits and heat counters: their own table, which pages never fill.
        "counters": {
            "BACKEND": "portal.cache.PostgresCache",
            "LOCATION": "portal_counters",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Heat (articles/heat.py): reads counted per article in the shared cache between two folds into
# the row (0 or 1: fold on every read).
HEAT_BUFFER_SIZE = env.int("HEAT_BUFFER_SIZE", default=200)
# In the database only: a session (a commenter, staff) must not break when the cache is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Edge caches (portal/edge.py, edge/portal.conf.template) -------------------------------------
# Every edge to purge when content changes, e.g. http://127.0.0.1:8000 (`make edge` sets it).
# With edges, shared pages tell them how long to keep a page (s-maxage) and how long to serve it
# while the app is failing (stale-if-error, seconds).
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])
EDGE_PURGE_TIMEOUT = env.float("EDGE_PURGE_TIMEOUT", default=2.0)
EDGE_PURGE_WAIT = env.float("EDGE_PURGE_WAIT", default=0.5)
EDGE_STALE_IF_ERROR = env.int("EDGE_STALE_IF_ERROR", default=3600)
# The edges' logs of article reads they served themselves, folded into heat by fold_heat.
EDGE_READ_LOGS = env.list("EDGE_READ_LOGS", default=[str(VAR_DIR / "edge" / "reads.log")])

# --- Auth -----------------------------------------------------------------------------------
# django-axes counts failed logins (the admin's form) per username and client address, and
# refuses that pair for a cool-off once it reaches the limit, the right password included. It
# sees the same client address as the comment guards (TRUSTED_PROXY_COUNT), not the proxy's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "comments.guards.client_address"
AXES_LOCKOUT_CALLABLE = "portal.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# No "AXES: BEGIN" line at every process start. A refused login is logged in one line with the
# username and address by the lockout page (portal.views.login_locked_out); axes' own loggers
# ("axes.*", three lines per failed login, user and address masked) are for LOGGING to quieten.
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language, script variants, time --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体"),
    ("zh-hant", "繁體"),
    ("zh-tw", "臺灣"),
    ("zh-hk", "香港"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "variant"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded photos and their renditions (articles/photos.py). On several app hosts, point the
# "default" storage at S3-compatible storage with django-storages (README, "Photos").
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# gunicorn serves MEDIA_ROOT itself (`make run`) unless a web server in front does (the edge).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
# What an editor may upload (bytes, and pixels decoded: a decompression bomb stays a small file).
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
# HTTPS is on by default in production. `make run` serves plain http on loopback and turns it off.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Whether a request came over https is gunicorn's to say: it believes X-Forwarded-Proto only
# from the proxies in FORWARDED_ALLOW_IPS (gunicorn.conf.py) and sets wsgi.url_scheme, which
# request.is_secure() reads. Django's SECURE_PROXY_SSL_HEADER would believe it from any client.
# The origin of absolute links (canonical, feeds, sitemap, e-mails; portal/origin.py): SITE_URL,
# else the scheme above (HTTPS) with the request's host — never the scheme a request claims.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
_site = urlsplit(SITE_URL)
if SITE_URL and (
    _site.scheme not in ("http", "https") or not _site.netloc or _site.path or _site.query
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an origin such as https://news.example.com (no path), not {SITE_URL!r}."
    )
# Content-Security-Policy (django-csp), readers' pages and the admin alike: scripts, styles,
# images and fetches from the site itself only; no inline script, no style attribute, no
# framing (tests/test_csp.py, and tests/e2e/test_csp.py in Chromium). The one exception is the
# admin's rich-text editor, whose import map must be inline: it carries a per-request nonce,
# which django-csp adds to the header only on pages that used one (readers' pages never do).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many proxies in front of the app append to X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Comments -------------------------------------------------------------------------------
COMMENT_MIN_SECONDS = env.int("COMMENT_MIN_SECONDS", default=3)
COMMENT_MAX_AGE_SECONDS = env.int("COMMENT_MAX_AGE_SECONDS", default=24 * 3600)
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=1000)
COMMENT_RATE = env.str("COMMENT_RATE", default="5/600")
COMMENT_POST_RATE = env.str("COMMENT_POST_RATE", default="20/600")
RATE_LIMIT_IPV6_PREFIX = env.int("RATE_LIMIT_IPV6_PREFIX", default=64)
COMMENT_MAX_LINKS = env.int("COMMENT_MAX_LINKS", default=2)
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
COMMENT_NOTIFY_EMAILS = env.list("COMMENT_NOTIFY_EMAILS", default=[])
# 顶 and 举报 (comments/likes.py, comments/views.py): anonymous, one per reader per comment.
COMMENT_LIKE_RATE = env.str("COMMENT_LIKE_RATE", default="60/600")
COMMENT_LIKES_PER_ADDRESS = env.int("COMMENT_LIKES_PER_ADDRESS", default=20)
COMMENT_LIKES_FOLD_EVERY = env.int("COMMENT_LIKES_FOLD_EVERY", default=10)
COMMENT_HOT_MIN_LIKES = env.int("COMMENT_HOT_MIN_LIKES", default=3)
COMMENT_REPORT_RATE = env.str("COMMENT_REPORT_RATE", default="10/600")
COMMENT_REPORT_THRESHOLD = env.int("COMMENT_REPORT_THRESHOLD", default=3)
# Comments accepted while PostgreSQL is down wait here (comments/spool.py).
COMMENT_SPOOL = env.str("COMMENT_SPOOL", default=str(VAR_DIR / "spool" / "comments.jsonl"))
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- Logging: one readable line per record, to stdout -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {
        "client_errors_without_traceback": {"()": "portal.logging.ClientErrorsWithoutTraceback"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "formatter": "line",
            "filters": ["client_errors_without_traceback"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # axes logs each failed login in three lines; portal.views logs one line per lockout.
        "axes": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
    },
}
