"""Errors of the case service: each says what went wrong, not which HTTP code to send."""

from __future__ import annotations


class CaseError(Exception):
    """Base of every case-service error; `code` is a stable machine-readable name."""

    code = "case_error"

    def __init__(self, message: str, errors: dict | list | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code:
            self.code = code


class NotFound(CaseError):
    code = "not_found"


class NotAllowed(CaseError):
    """The user may not do this (role, lane, recusal, four eyes, need-to-know)."""

    code = "not_allowed"


class Conflict(CaseError):
    """The case moved on: the task is no longer ready, or the client's case version is stale."""

    code = "conflict"


class InvalidInput(CaseError):
    """The submitted data or files are wrong; `errors` names each problem."""

    code = "invalid_input"


class TooLarge(CaseError):
    code = "too_large"


class AuthenticationFailed(CaseError):
    code = "authentication_failed"


class Throttled(CaseError):
    """Too many attempts: try again after `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after
