# Test cases for semgrep_rules/environment-access.yaml (AG703). Run: semgrep --test semgrep_rules/
from __future__ import annotations

import os
import subprocess
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
    token = os.environ.pop("WORKER_TOKEN", None)
    # ruleid: environment-access
    home = os.environ.get("APP_HOME")
    # ok: environment-access
    os.environ.setdefault("dramatiq_prom_db", "/tmp/prom")
    # ok: environment-access
    os.environ["GRPC_SSL_CIPHER_SUITES"] = "HIGH+ECDSA"
    # ok: environment-access
    environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    # ok: environment-access
    os.environ.update({"TZ": "UTC"})
    # ok: environment-access
    if "SDK_SKIP_VERSION_CHECK" not in os.environ:
        os.environ["SDK_SKIP_VERSION_CHECK"] = "1"
    # ruleid: environment-access
    if "FEATURE" not in os.environ:
        # ruleid: environment-access
        mode = os.environ.get("MODE")
        os.environ["FEATURE"] = mode
    # ok: environment-access
    os.putenv("TZ", "UTC")
    # ok: environment-access
    env = dict(os.environ)
    # ok: environment-access
    child_env = os.environ.copy()
    # ok: environment-access
    merged = {**os.environ, "UV_CACHE_DIR": "/tmp/uv"}
    # ok: environment-access
    renderer_env = {key: value for key, value in os.environ.items() if key.startswith("APP_")}
    # ok: environment-access
    everything = {k: v for k, v in os.environ.items()}
    # ruleid: environment-access
    prefixed = [value for key, value in os.environ.items() if key.startswith("APP_")]
    # ok: environment-access
    subprocess.run(["git", "status"], env=os.environ, check=True)
    # ok: environment-access
    search_path = os.environ.get("PATH", "")
    # ok: environment-access
    user_home = environ["HOME"]
    # ok: environment-access
    shell = getenv("SHELL")
    # ok: environment-access
    scratch = os.getenv("TMPDIR")
    # ok: environment-access
    user_base = os.getenv("PYTHONUSERBASE") or "~/.local"
    # ok: environment-access
    os.execvpe("git", ["git", "status"], os.environ)
    # ok: environment-access
    cwd = os.getcwd()
    # ok: environment-access
    path = os.path.join(cwd, "media")
    # ok: environment-access
    settings = get_settings()
    print(env, path, settings.redis_url, token, home, child_env, merged, search_path,
          user_home, shell, scratch, user_base)
