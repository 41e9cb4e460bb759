"""One Config object: documented keys, defaults for the embedded SQLite set-up, env overrides."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

from workflows.bounds import RunBounds

ROOT = Path(__file__).resolve().parent.parent


def _default_db_url() -> str:
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'qingfeng.db'}"


def _secret_key() -> str:
    """Read or create instance/secret_key so sessions survive restarts without a configured key."""
    path = ROOT / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Config:
    DATABASE_URL: str = ""  # env DATABASE_URL; default instance/qingfeng.db (SQLite)
    SECRET_KEY: str = ""  # env QINGFENG_SECRET_KEY; default a key generated into instance/
    TIMEZONE: str = "Asia/Shanghai"  # env QINGFENG_TIMEZONE: how dates and times are shown
    BPMN_DIR: str = str(ROOT / "bpmn")  # env QINGFENG_BPMN_DIR: processes deployed at start-up
    MAX_UPLOAD_BYTES: int = 2 * 1024 * 1024  # env QINGFENG_MAX_UPLOAD_BYTES: per BPMN/DMN/form file
    # Login throttling (README "Security model"): growing waits, never a lock-out of the right password.
    LOGIN_ADDRESS_FREE_FAILURES: int = 10  # failures from one address (any usernames) before it must wait
    LOGIN_ADDRESS_MAX_DELAY_SECONDS: int = 900  # the address's wait doubles from 1 s up to this
    LOGIN_ACCOUNT_FREE_FAILURES: int = 5  # failures on one username (any addresses) before waits begin
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS: int = 30  # an address that failed on the account waits at most this
    LOGIN_FORGET_SECONDS: int = 86400  # counts are forgotten after this long without a failure
    API_TOKEN_LIFETIME_DAYS: int = 30  # env QINGFENG_API_TOKEN_DAYS: bearer tokens expire after this
    TRUSTED_ORIGINS: str = ""  # env QINGFENG_TRUSTED_ORIGINS: comma-separated origins allowed to call the API
    DUE_SOON_WORKDAYS: int = 3  # env QINGFENG_DUE_SOON_WORKDAYS: worklist "due soon" threshold
    SESSION_COOKIE_SECURE: bool = False  # env QINGFENG_SECURE_COOKIES=1 behind HTTPS
    PASSWORD_HASH_METHOD: str = "scrypt"  # noqa: S105  (werkzeug method name; tests use a cheap one)
    METRICS_TOKEN: str = ""  # env QINGFENG_METRICS_TOKEN: bearer token Prometheus scrapes /metrics with
    # Engine run bounds (workflows/bounds.py): automatic steps and CPU seconds of one engine run in a
    # request or timer firing, shortest cycle-timer interval, longest timer duration.
    ENGINE_MAX_STEPS: int = 1000  # env QINGFENG_ENGINE_MAX_STEPS
    ENGINE_MAX_SECONDS: float = 5.0  # env QINGFENG_ENGINE_MAX_SECONDS
    TIMER_MIN_CYCLE_SECONDS: int = 60  # env QINGFENG_TIMER_MIN_CYCLE_SECONDS
    TIMER_MAX_DURATION_DAYS: int = 3660  # env QINGFENG_TIMER_MAX_DURATION_DAYS
    # Documents (文书): 文号 format ({issuer_short}, {abbr} of the document type, {year}, {seq}) and the issuer.
    DOCUMENT_NUMBER_FORMAT: str = "{issuer_short}{abbr}〔{year}〕{seq}号"  # env QINGFENG_DOCUMENT_NUMBER_FORMAT
    DOCUMENT_ISSUER: str = "中共示例高新区纪律检查工作委员会"  # env QINGFENG_DOCUMENT_ISSUER: 发文机关
    DOCUMENT_ISSUER_SHORT: str = "高纪"  # env QINGFENG_DOCUMENT_ISSUER_SHORT: the 文号's organ abbreviation
    # Attachments: size limit (413 above), storage ("file" under ATTACHMENT_DIR, or "s3" with the S3_* keys).
    ATTACHMENT_MAX_BYTES: int = 50 * 1024 * 1024  # env QINGFENG_ATTACHMENT_MAX_BYTES
    ATTACHMENT_STORAGE: str = "file"  # env QINGFENG_ATTACHMENT_STORAGE: file or s3
    ATTACHMENT_DIR: str = str(ROOT / "instance" / "attachments")  # env QINGFENG_ATTACHMENT_DIR
    S3_BUCKET: str = ""  # env QINGFENG_S3_BUCKET (S3-compatible storage; needs the boto3 package)
    S3_ENDPOINT_URL: str = ""  # env QINGFENG_S3_ENDPOINT_URL (e.g. a MinIO address); credentials from boto3's env
    S3_PREFIX: str = "attachments/"  # env QINGFENG_S3_PREFIX
    ARCHIVE_RETENTION: str = "永久"  # env QINGFENG_ARCHIVE_RETENTION: 保管期限 printed on the 案卷 cover
    TESTING: bool = False
    SQL_ECHO: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> Config:
        env = os.environ
        cfg = cls(
            DATABASE_URL=env.get("DATABASE_URL", ""),
            SECRET_KEY=env.get("QINGFENG_SECRET_KEY", ""),
            TIMEZONE=env.get("QINGFENG_TIMEZONE", "Asia/Shanghai"),
            BPMN_DIR=env.get("QINGFENG_BPMN_DIR", str(ROOT / "bpmn")),
            MAX_UPLOAD_BYTES=int(env.get("QINGFENG_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)),
            DUE_SOON_WORKDAYS=int(env.get("QINGFENG_DUE_SOON_WORKDAYS", 3)),
            SESSION_COOKIE_SECURE=env.get("QINGFENG_SECURE_COOKIES", "") == "1",
            METRICS_TOKEN=env.get("QINGFENG_METRICS_TOKEN", ""),
            API_TOKEN_LIFETIME_DAYS=int(env.get("QINGFENG_API_TOKEN_DAYS", 30)),
            TRUSTED_ORIGINS=env.get("QINGFENG_TRUSTED_ORIGINS", ""),
            ENGINE_MAX_STEPS=int(env.get("QINGFENG_ENGINE_MAX_STEPS", 1000)),
            ENGINE_MAX_SECONDS=float(env.get("QINGFENG_ENGINE_MAX_SECONDS", 5.0)),
            TIMER_MIN_CYCLE_SECONDS=int(env.get("QINGFENG_TIMER_MIN_CYCLE_SECONDS", 60)),
            TIMER_MAX_DURATION_DAYS=int(env.get("QINGFENG_TIMER_MAX_DURATION_DAYS", 3660)),
            DOCUMENT_NUMBER_FORMAT=env.get("QINGFENG_DOCUMENT_NUMBER_FORMAT", cls.DOCUMENT_NUMBER_FORMAT),
            DOCUMENT_ISSUER=env.get("QINGFENG_DOCUMENT_ISSUER", cls.DOCUMENT_ISSUER),
            DOCUMENT_ISSUER_SHORT=env.get("QINGFENG_DOCUMENT_ISSUER_SHORT", cls.DOCUMENT_ISSUER_SHORT),
            ATTACHMENT_MAX_BYTES=int(env.get("QINGFENG_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)),
            ATTACHMENT_STORAGE=env.get("QINGFENG_ATTACHMENT_STORAGE", "file"),
            ATTACHMENT_DIR=env.get("QINGFENG_ATTACHMENT_DIR", str(ROOT / "instance" / "attachments")),
            S3_BUCKET=env.get("QINGFENG_S3_BUCKET", ""),
            S3_ENDPOINT_URL=env.get("QINGFENG_S3_ENDPOINT_URL", ""),
            S3_PREFIX=env.get("QINGFENG_S3_PREFIX", "attachments/"),
            ARCHIVE_RETENTION=env.get("QINGFENG_ARCHIVE_RETENTION", "永久"),
        )
        for key, value in overrides.items():
            if key in {f.name for f in fields(cls)}:
                setattr(cfg, key, value)
            else:
                cfg.extra[key] = value
        if not cfg.DATABASE_URL:
            cfg.DATABASE_URL = _default_db_url()
        if not cfg.SECRET_KEY:
            cfg.SECRET_KEY = _secret_key()
        return cfg

    def run_bounds(self) -> RunBounds:
        """The engine's run bounds and timer limits from these settings."""
        return RunBounds(max_steps=self.ENGINE_MAX_STEPS, max_seconds=self.ENGINE_MAX_SECONDS,
                         min_cycle_seconds=self.TIMER_MIN_CYCLE_SECONDS,
                         max_duration_days=self.TIMER_MAX_DURATION_DAYS)

    def flask_settings(self) -> dict:
        """The keys Flask and its extensions read."""
        return {
            "SECRET_KEY": self.SECRET_KEY,
            "TESTING": self.TESTING,
            "MAX_CONTENT_LENGTH": self.MAX_UPLOAD_BYTES * 4,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.SESSION_COOKIE_SECURE,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.SESSION_COOKIE_SECURE,
            "WTF_CSRF_TIME_LIMIT": None,
            "API_TITLE": "清风 Qingfeng API",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_REDOC_PATH": "/docs",
            "OPENAPI_REDOC_URL": "/static/vendor/redoc/bundles/redoc.standalone.js",
            **self.extra,
        }
