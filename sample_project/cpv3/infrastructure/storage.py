from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import aioboto3
from botocore.exceptions import ClientError

from cpv3.infrastructure.settings import Settings, get_settings

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
DELETE_BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class StoredObject:
    """Metadata S3 reports for one object."""

    key: str
    size_bytes: int
    content_type: str
    etag: str


class ObjectStorage:
    """Async S3/MinIO access; one aioboto3 session per process, one client per call."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._boto = aioboto3.Session()

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[S3Client]:
        region = os.environ.get("AWS_DEFAULT_REGION", self._settings.s3_region)  # expect: AG703
        async with self._boto.client(
            "s3",
            endpoint_url=self._settings.s3_endpoint_url,
            region_name=region,
            aws_access_key_id=self._settings.s3_access_key_id,
            aws_secret_access_key=self._settings.s3_secret_access_key.get_secret_value(),
        ) as client:
            yield client

    async def upload_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing any previous object."""
        async with self._client() as client:
            await client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    async def download_bytes(self, bucket: str, key: str) -> bytes:
        """Read a whole object into memory; meant for audio extracts, not raw video."""
        async with self._client() as client:
            response = await client.get_object(Bucket=bucket, Key=key)
            async with response["Body"] as body:
                return await body.read()

    async def head_object(self, bucket: str, key: str) -> StoredObject | None:
        """Metadata of an object, or None when it does not exist (yet)."""
        async with self._client() as client:
            try:
                response = await client.head_object(Bucket=bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                    return None
                raise
        return StoredObject(
            key=key,
            size_bytes=response["ContentLength"],
            content_type=response.get("ContentType", ""),
            etag=response["ETag"].strip('"'),
        )

    async def delete_objects(self, bucket: str, keys: list[str]) -> None:
        """Delete keys in batches of 1000; deleting a missing key is not an error."""
        async with self._client() as client:
            for start in range(0, len(keys), DELETE_BATCH_SIZE):
                batch = keys[start : start + DELETE_BATCH_SIZE]
                await client.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )

    async def presigned_upload_url(self, bucket: str, key: str, content_type: str) -> str:
        """URL the browser PUTs the file to, valid for the configured TTL."""
        async with self._client() as client:
            return await client.generate_presigned_url(
                "put_object",
                Params={"Bucket": bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=self._settings.presigned_url_ttl_seconds,
            )

    async def presigned_download_url(self, bucket: str, key: str) -> str:
        """Time-limited GET URL for an object."""
        async with self._client() as client:
            return await client.generate_presigned_url(
                "get_object",
                Params={"Bucket": bucket, "Key": key},
                ExpiresIn=self._settings.presigned_url_ttl_seconds,
            )


@lru_cache
def get_storage() -> ObjectStorage:
    """Process-wide storage client built from settings."""
    return ObjectStorage(get_settings())
