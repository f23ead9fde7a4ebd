"""Test settings: the normal settings with fast hashing and fixed test keys."""

import os

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1sbyE="]
FIELD_HASH_KEY = "test-only-hash-key"
LANGUAGE_CODE = "en"

# SQLite tests use a file, not Django's shared in-memory database: the browser
# tests' live server then opens its own connection instead of sharing the test
# thread's, and a request still finishing while a test flushes waits for its
# lock instead of failing with "database table is locked". Two runs side by
# side (say a helper's and CI's) each name their own file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("TEST_SQLITE_NAME", BASE_DIR / ".test-db.sqlite3")  # noqa: F405
    }

# The test database is emptied between transactional tests with TRUNCATE,
# which the audit tables refuse in production (policing.audit_guards); the
# flush alone may pass, by a setting of its own transaction (conftest).
AUDIT_TRUNCATE_FOR_TESTS = True
