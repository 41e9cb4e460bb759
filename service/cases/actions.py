"""The case service's public actions, in one place for callers. Each is one transaction: state, projections
and one audit event. They live in modules by concern; this module only names them.
"""

from service.cases.deployment import DeployResult, deploy_process
from service.cases.documents import cancel_document, document_file, list_documents
from service.cases.recusal import recuse_user
from service.cases.reporters import read_reporter
from service.cases.results import CaseSnapshot, CaseView, Completion
from service.cases.starting import start_case
from service.cases.task_actions import claim_task, complete_task, release_task
from service.cases.timers import fire_due_timers, fire_locked_case_timers

__all__ = [
    "CaseSnapshot", "CaseView", "Completion", "DeployResult", "cancel_document", "claim_task", "document_file",
    "list_documents", "complete_task", "deploy_process",
    "fire_due_timers", "fire_locked_case_timers", "read_reporter", "recuse_user", "release_task", "start_case",
]
