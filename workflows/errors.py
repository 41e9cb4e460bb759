"""Engine-layer error hierarchy: meaning only, no HTTP status codes."""

from __future__ import annotations

from dataclasses import asdict, dataclass


class WorkflowError(Exception):
    """Base class of every error raised by the engine layer."""

    bpmn_id: str | None = None    # the BPMN element that failed, when known
    task_id: str | None = None    # the task (uuid string) that failed, when known

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One problem found in an uploaded BPMN/DMN/form file."""

    file: str
    element_id: str | None
    message: str
    line: int | None = None

    def to_dict(self) -> dict:
        """Return a JSON-safe dict."""
        return asdict(self)

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else '')
        return f"{where} [{self.element_id or '-'}] {self.message}"


class SpecInvalid(WorkflowError):
    """The process files are not acceptable; `problems` says why, per element."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = '; '.join(str(p) for p in self.problems[:5])
        more = f" (共 {len(self.problems)} 个问题)" if len(self.problems) > 5 else ''
        super().__init__(f"流程定义无效: {head}{more}")


class ExpressionError(WorkflowError):
    """Common base of sandbox errors; carries the offending expression."""

    def __init__(self, message: str, expression: str = ''):
        super().__init__(message)
        self.expression = expression


class ExpressionRejected(ExpressionError):
    """The sandbox refused an expression or script before running it."""


class ExpressionFailed(ExpressionError):
    """An expression or script failed while running (unknown name, bad type, ...)."""


class ExpressionLimitExceeded(ExpressionFailed):
    """An expression or script went over the sandbox's time or size limit."""


class TaskNotFound(WorkflowError):
    """No task with this id exists in the workflow."""


class TaskNotReady(WorkflowError):
    """The task exists but is not a READY human task."""


class TimerError(WorkflowError):
    """A timer expression or due time could not be evaluated."""


class RunLimitExceeded(WorkflowError):
    """One engine run went over its step or time bound (workflows.bounds); the caller rolls back."""


class DataInvalid(WorkflowError):
    """Data given to or produced by the engine is not plain JSON (NaN, Infinity, a function, ...)."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}
