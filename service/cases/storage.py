"""Where attachment bytes live: one interface, the filesystem by default, S3-compatible storage as an option.

Keys are opaque (random), never derived from a file name, so an upload can never choose where it is written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from service.config import Config


class AttachmentStorage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class FileStorage:
    """Files under one directory (ATTACHMENT_DIR), fanned out by the key's first two characters."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("storage keys are alphanumeric")
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:   # written whole, then renamed: a reader never sees half a file
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, ...); needs the boto3 package, credentials from boto3's environment."""

    def __init__(self, bucket: str, endpoint_url: str = "", prefix: str = ""):
        import boto3  # optional dependency: only deployments that choose S3 install it

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def build_storage(config: Config) -> AttachmentStorage:
    if config.ATTACHMENT_STORAGE == "s3":
        return S3Storage(config.S3_BUCKET, config.S3_ENDPOINT_URL, config.S3_PREFIX)
    if config.ATTACHMENT_STORAGE != "file":
        raise ValueError(f"QINGFENG_ATTACHMENT_STORAGE must be file or s3, not {config.ATTACHMENT_STORAGE!r}")
    return FileStorage(config.ATTACHMENT_DIR)
