# Test cases for semgrep_rules/environment-access.yaml (AG703). Run: semgrep --test semgrep_rules/
from __future__ import annotations

import os
import os as operating_system
from os import environ, getenv
from os import environ as ENV

from cpv3.infrastructure.settings import get_settings

# ruleid: environment-access
DATABASE_URL = os.environ["DATABASE_URL"]
# ruleid: environment-access
DEBUG = os.environ.get("DEBUG", "0") == "1"
# ruleid: environment-access
REDIS_URL = os.getenv("REDIS_URL")
# ruleid: environment-access
S3_BUCKET = getenv("S3_BUCKET", "cofee-media")
# ruleid: environment-access
REMOTION_URL = environ["REMOTION_URL"]
# ruleid: environment-access
SENTRY_DSN = ENV.get("SENTRY_DSN")
# ruleid: environment-access
LOG_LEVEL = operating_system.getenv("LOG_LEVEL")


def feature_enabled(name: str) -> bool:
    # ruleid: environment-access
    if name in os.environ:
        return True
    # ok: environment-access
    return name in get_settings().enabled_features


def configure_worker() -> None:
    # ruleid: environment-access
    os.environ.setdefault("dramatiq_prom_db", "/tmp/prom")
    # ruleid: environment-access
    env = dict(os.environ)
    # ok: environment-access
    cwd = os.getcwd()
    # ok: environment-access
    path = os.path.join(cwd, "media")
    # ok: environment-access
    settings = get_settings()
    print(env, path, settings.redis_url)
