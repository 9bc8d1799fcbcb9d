from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_FILE = os.environ.get("CPV3_ENV_FILE", ".env")


class Settings(BaseSettings):
    """Every environment-specific value of the backend; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_prefix="CPV3_", extra="ignore")

    environment: Literal["local", "staging", "production"] = "local"
    debug: bool = False
    api_prefix: str = "/api/v1"
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000"])

    database_url: str = "postgresql+asyncpg://cpv3:cpv3@localhost:5332/cpv3"
    database_sync_url: str = "postgresql+psycopg://cpv3:cpv3@localhost:5332/cpv3"
    test_database_url: str = "postgresql+asyncpg://cpv3:cpv3@localhost:5332/cpv3_test"
    database_pool_size: int = 10
    database_max_overflow: int = 20
    database_pool_recycle_seconds: int = 1800
    database_echo: bool = False

    redis_url: str = "redis://localhost:6379/0"
    dramatiq_namespace: str = "cpv3"
    notifications_channel_prefix: str = "cpv3.notifications"

    s3_endpoint_url: str = "http://localhost:9000"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = "minioadmin"
    s3_secret_access_key: SecretStr = SecretStr("minioadmin")
    s3_media_bucket: str = "cofee-media"
    s3_renders_bucket: str = "cofee-renders"
    s3_files_bucket: str = "cofee-files"
    presigned_url_ttl_seconds: int = 900

    remotion_url: str = "http://localhost:3001"
    remotion_timeout_seconds: float = 30.0
    remotion_max_attempts: int = 3

    jwt_secret: SecretStr = SecretStr("local-development-only-jwt-signing-key")
    jwt_algorithm: str = "HS256"
    access_token_ttl_minutes: int = 60

    webhook_signing_secret: SecretStr = SecretStr("")
    whisper_model: str = "small"
    whisper_device: str = "cpu"
    whisper_compute_type: str = "int8"


@lru_cache
def get_settings() -> Settings:
    """Settings are read once per process; tests clear the cache to override them."""
    return Settings()
