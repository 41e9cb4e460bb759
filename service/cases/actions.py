"""The case service's public actions, in one place for callers. Each is one transaction: state, projections
and one audit event. They live in modules by concern; this module only names them.

Every action on a case (`CASE_ACTIONS`) returns a `CaseView`, the case after the action, whose `event` is the
audit event it appended (`tests/service/test_case_actions.py` drives each). The others answer with what they act
on: `deploy_process` a `DeployResult` (a process version); the documents' `cancel_document` the document,
`document_file` the file, `list_documents` the list (a read); attachments and the 案卷 likewise (`add_attachment`
the attachment, `attachment_file` and `case_file` the file, `archive_case` the archiving record); the cadre
records' `merge_cadres` and `change_measure_status` what they changed (audited on the chain `cadre:<id>`).
"""

from service.cases.archive import archive_case, archive_info, case_file
from service.cases.attachments import add_attachment, attachment_file, list_attachments
from service.cases.cadre_actions import change_measure_status, merge_cadres
from service.cases.deadlines import (
    approve_extension,
    approve_suspension,
    reject_extension,
    reject_suspension,
    request_extension,
    resume_deadline,
    suspend_deadline,
)
from service.cases.deployment import DeployResult, deploy_process
from service.cases.documents import cancel_document, document_file, list_documents
from service.cases.recusal import decide_recusal, declare_recusal, lift_recusal, record_challenge, recuse_user
from service.cases.reporters import read_reporter
from service.cases.results import CaseSnapshot, CaseView
from service.cases.starting import start_case
from service.cases.task_actions import claim_task, complete_task, release_task
from service.cases.timers import fire_due_timers

CASE_ACTIONS = (
    start_case, claim_task, release_task, complete_task, fire_due_timers, read_reporter,
    declare_recusal, record_challenge, decide_recusal, recuse_user, lift_recusal,
    suspend_deadline, approve_suspension, reject_suspension, resume_deadline, request_extension, approve_extension,
    reject_extension,
)

__all__ = [
    "CASE_ACTIONS", "CaseSnapshot", "CaseView", "DeployResult", "add_attachment", "approve_extension",
    "approve_suspension", "archive_case", "archive_info", "attachment_file", "case_file", "list_attachments",
    "cancel_document", "change_measure_status", "claim_task", "complete_task", "declare_recusal", "decide_recusal",
    "deploy_process", "document_file", "fire_due_timers", "lift_recusal", "list_documents", "merge_cadres",
    "read_reporter", "record_challenge", "recuse_user", "reject_extension", "reject_suspension", "release_task",
    "request_extension", "resume_deadline", "start_case", "suspend_deadline",
]
