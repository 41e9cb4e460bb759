"""Who may see and do what: every rule as a named predicate. Pure: no database, no Flask.

Every action, query and page asks these predicates; no other module reads roles
(`tests/service/test_permissions.py` checks it). A predicate takes the actor and, where the rule
depends on the case, a `CaseContext` the caller loaded for this actor (`tx.case_context`), so
per-case rules (departments, positions, need to know) extend the context, not the callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from service.cases.org.positions import TASK_POSITION_HOLDERS, task_position

# Who may open case lists and pages at all; which cases they then see is need to know
# (org.access.readable_cases): case management (案管) reads the register only, 审理 once a case reaches it.
CASE_READER_ROLES = ("intake", "handler", "supervisor", "leader", "committee", "auditor", "admin",
                     "case_management", "review")
REPORTER_ROLES = ("intake",)
DEPLOYER_ROLES = ("designer", "admin")
VERSION_READER_ROLES = ("designer", "admin", "auditor")
AUDIT_READER_ROLES = ("handler", "supervisor", "leader", "committee", "auditor", "admin", "intake")
UNREDACTED_ROLES = ("intake", "handler", "supervisor", "leader", "committee", "admin", "review")
DEADLINE_OVERSEER_ROLES = ("supervisor", "leader", "admin")
EXTENSION_APPROVER_ROLES = ("supervisor", "leader")
OVERDUE_VIEW_ROLES = ("supervisor", "leader", "admin")
RECUSAL_PRINCIPAL = ("principal",)
RECUSAL_STAFF = ("member", "head")   # department staff, whose recusal the overseeing deputy may decide
RECUSAL_DECIDER_ROLES = ("leader",)   # the capability the principal's and the deputies' positions give
RELEASE_ANY_ROLES = ("admin",)
CALENDAR_ADMIN_ROLES = ("admin",)
METRICS_READER_ROLES = ("admin",)
ORG_ADMIN_ROLES = ("admin",)
# Fields an auditor reads only as "redacted": the content of the report is secret (domain.md §8.1).
AUDITOR_REDACTED_KEYS = ("allegation_summary", "allegation_detail", "letter_content")


class Actor(Protocol):
    """The user asking (a `User` row or anything with an id and roles)."""

    id: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Holdings:
    """The positions a user holds now ((kind, department id or None)), acting appointments included (also listed
    in `acting`); `case_acting`: appointments for one case only ((kind, department id, case id))."""

    positions: frozenset = frozenset()
    case_acting: frozenset = frozenset()
    acting: frozenset = frozenset()   # those of `positions` held only by an acting appointment (代行)

    def departments(self, kinds, case_id: int | None = None) -> set:
        """Departments where the user holds one of `kinds` (for `case_id`: its acting appointments too)."""
        found = {d for k, d in self.positions if k in kinds}
        found |= {d for k, d, c in self.case_acting if k in kinds and c == case_id}
        return found

    def holds(self, kinds, case_id: int | None = None) -> bool:
        return any(k in kinds for k, _d in self.positions) or any(
            k in kinds and c == case_id for k, _d, c in self.case_acting)


@dataclass(frozen=True)
class CaseContext:
    """What the rules need to know about one case, for one actor."""

    case_id: int | None = None
    recused: bool = False                          # the actor is recused (回避) from the case
    handler_id: int | None = None                  # the case's 承办人
    approver_ids: frozenset[int] = frozenset()     # users who completed an approval step of the case
    open_approval_roles: frozenset[str] = frozenset()  # roles of the case's approval steps still open
    department_id: int | None = None               # the handling department (承办部门)
    holdings: Holdings | None = None               # the actor's positions, when the caller loaded them


NO_CASE = CaseContext()


def _has_role(actor: Actor, roles: Iterable[str]) -> bool:
    return any(r in roles for r in actor.roles)


# ---- cases ----

def may_read_cases(actor: Actor) -> bool:
    """Whether the actor may open case lists and case pages at all."""
    return _has_role(actor, CASE_READER_ROLES)


def may_read_case(actor: Actor, case: CaseContext) -> bool:
    return not case.recused and may_read_cases(actor)


def may_keep_cadre_records(holdings: Holdings) -> bool:
    """Whether the holder may merge cadre records and mark measures changed on appeal: the principal and
    case management (案管 keeps the register)."""
    return holdings.holds(("principal", "case_management"))


def may_start(actor: Actor, start_roles: Iterable[str]) -> bool:
    """Whether the actor may start a process whose start event names `start_roles`."""
    return _has_role(actor, set(start_roles))


def may_read_audit(actor: Actor, case: CaseContext = NO_CASE) -> bool:
    return not case.recused and _has_role(actor, AUDIT_READER_ROLES)


def may_search_audit(actor: Actor) -> bool:
    """The cross-case audit search (who read a reporter's identity, who did what when) is the auditor's."""
    return _has_role(actor, ("auditor",))


def may_see_reporter(actor: Actor, case: CaseContext) -> bool:
    """Need to know: intake staff, the case's handler, and the approvers on its chain (domain.md §8.2)."""
    if case.recused:
        return False
    if _has_role(actor, REPORTER_ROLES):
        return True
    if case.handler_id is not None and actor.id == case.handler_id:
        return True
    if actor.id in case.approver_ids:
        return True
    return _has_role(actor, case.open_approval_roles)


def redact_case_data(actor: Actor, data: dict) -> dict:
    """Case data as the actor may read it (auditors do not read the report's content)."""
    if _has_role(actor, UNREDACTED_ROLES):
        return dict(data)
    return {k: ("【已隐去】" if k in AUDITOR_REDACTED_KEYS else v) for k, v in data.items()}


def redact_audit_summary(actor: Actor, summary: dict | None) -> dict:
    """An audit event's summary as the actor may read it: the submitted content (`data`) redacted by the same
    rule as the case data (auditors read who did what, when and as what, not the report's content)."""
    summary = dict(summary or {})
    if isinstance(summary.get("data"), dict):
        summary["data"] = redact_case_data(actor, summary["data"])
    return summary


def may_decide_recusal(actor: Actor, holdings: Holdings, target_id: int, target: Holdings,
                       case: CaseContext = NO_CASE) -> bool:
    """Who decides (and lifts) a 回避 (issue 13 point 6, domain.md §8.6): the principal, for anyone else; a deputy,
    for the staff (承办人, 部门负责人) of a department they oversee; never someone recused from the case. Nobody
    decides on themselves, except the principal recording their own withdrawal (the body above decides on the
    principal; `recusal.decide` allows it for a declaration only, never to reject a challenge)."""
    if case.recused:
        return False
    if actor.id == target_id:
        return holdings.holds(RECUSAL_PRINCIPAL)
    if holdings.holds(RECUSAL_PRINCIPAL):
        return True
    staff_of = {d for d in target.departments(RECUSAL_STAFF) if d is not None}
    return bool(staff_of & holdings.departments(("deputy",)))


def may_see_recusal_queue(actor: Actor) -> bool:
    """Whether the header offers the list of 回避 requests awaiting a decision (principal and deputies)."""
    return _has_role(actor, RECUSAL_DECIDER_ROLES)


def may_record_challenge(holdings: Holdings) -> bool:
    """Intake (信访受理) records the subject's or the reporter's request that someone withdraw."""
    return holdings.holds(("intake",))


# ---- tasks ----

def task_roles(actor: Actor) -> tuple[str, ...]:
    """The task roles whose open tasks the actor may take (the worklist's filter)."""
    return tuple(actor.roles)


def may_do_task(actor: Actor, task_role: str, case: CaseContext = NO_CASE, lane: str = "") -> bool:
    """Whether the actor may claim or complete a task of `task_role` on the case (ignoring claims).

    With the actor's holdings loaded, the task's position is resolved against the case: the handling
    department's members or head, the deputy overseeing that department, or a body-wide position."""
    if case.recused:
        return False
    if case.holdings is None:
        return task_role in task_roles(actor)
    return fills_task_position(case.holdings, task_position(task_role, lane), case.department_id, case.case_id)


def fills_task_position(holdings: Holdings, position: str, department_id: int | None, case_id: int | None) -> bool:
    """Whether someone with `holdings` fills `position` (positions.TASK_POSITION_HOLDERS) on a case."""
    if position not in TASK_POSITION_HOLDERS:
        return False
    kinds, in_department = TASK_POSITION_HOLDERS[position]
    if in_department:
        return department_id is not None and department_id in holdings.departments(kinds, case_id)
    return holdings.holds(kinds, case_id)


def violates_distinct_levels(actor: Actor, chain_signer_ids: Iterable[int]) -> bool:
    """Distinct people per level: nobody signs two levels of one approval chain."""
    return actor.id in set(chain_signer_ids)


# The process setting (settings/<process>.json) that may relax the distinct-levels rule where the regulations
# allow one person to sign two levels; four eyes (nobody approves their own proposal) is never relaxed.
DISTINCT_SIGNERS_SETTING = "distinct_signers"


def distinct_signers_required(settings: dict | None) -> bool:
    """Whether the process version requires a different person at every level (the default)."""
    return bool((settings or {}).get(DISTINCT_SIGNERS_SETTING, True))


def signing_refusal(actor_id: int, proposer_id: int | None, chain_signer_ids: Iterable[int],
                    distinct_required: bool = True) -> str | None:
    """The one rule on who may sign a level of an approval chain, for every process: None if `actor_id` may,
    else the refusal's code. The proposer never approves their own proposal (`four_eyes`); nobody signs two
    levels of one chain (`distinct_levels`) unless the process's setting relaxes it."""
    if proposer_id is not None and actor_id == proposer_id:
        return "four_eyes"
    if distinct_required and actor_id in set(chain_signer_ids):
        return "distinct_levels"
    return None


def excluded_signers(proposer_id: int | None, chain_signer_ids: Iterable[int], distinct_required: bool = True
                     ) -> set[int]:
    """Who may not sign the next level of the chain (the same rule as `signing_refusal`, as a set)."""
    excluded = {proposer_id} if proposer_id is not None else set()
    return excluded | (set(chain_signer_ids) if distinct_required else set())


def may_take_task(actor: Actor, task_role: str, assignee_id: int | None, case: CaseContext = NO_CASE) -> bool:
    """`may_do_task`, and the task is unclaimed or claimed by the actor."""
    return may_do_task(actor, task_role, case) and assignee_id in (None, actor.id)


def may_release_task(actor: Actor, assignee_id: int | None) -> bool:
    """The claimant releases a claimed task; an admin may release anyone's."""
    return assignee_id == actor.id or _has_role(actor, RELEASE_ANY_ROLES)


def violates_four_eyes(actor: Actor, approved_step_completed_by: int | None) -> bool:
    """Four eyes: nobody approves (or decides on) what they did or asked for themselves."""
    return approved_step_completed_by is not None and approved_step_completed_by == actor.id


# ---- deadlines ----

def may_control_deadline(actor: Actor, task_role: str, case: CaseContext = NO_CASE) -> bool:
    """Suspend, resume or ask to extend a task's deadline: whoever may do the task, or an overseer."""
    return not case.recused and (_has_role(actor, DEADLINE_OVERSEER_ROLES) or task_role in actor.roles)


def may_approve_extensions(actor: Actor, case: CaseContext = NO_CASE) -> bool:
    """Decide on extension requests (four eyes is checked apart, against the requester)."""
    return not case.recused and _has_role(actor, EXTENSION_APPROVER_ROLES)


def may_view_overdue(actor: Actor) -> bool:
    """The supervisors' overdue view (逾期督办)."""
    return _has_role(actor, OVERDUE_VIEW_ROLES)


# ---- processes and administration ----

def may_deploy(actor: Actor) -> bool:
    """Deploy process versions and migrate cases (the designer's editing rights)."""
    return _has_role(actor, DEPLOYER_ROLES)


def may_read_versions(actor: Actor) -> bool:
    """Read process versions, their sources and diffs."""
    return _has_role(actor, VERSION_READER_ROLES)


def may_admin_calendar(actor: Actor) -> bool:
    """Maintain the holiday calendar (调休 and closures)."""
    return _has_role(actor, CALENDAR_ADMIN_ROLES)


def may_read_metrics(actor: Actor) -> bool:
    """Read the operators' metrics with an API token (the metrics token needs no user)."""
    return _has_role(actor, METRICS_READER_ROLES)


def may_administer_org(actor: Actor) -> bool:
    """Maintain accounts, their positions and the departments (系统管理)."""
    return _has_role(actor, ORG_ADMIN_ROLES)


# ---- documents, attachments, the case file (案卷) ----

CASE_FILE_READER_ROLES = UNREDACTED_ROLES   # the documents and evidence carry the report's content


def may_read_case_files(actor: Actor) -> bool:
    """Whether the actor (already inside the case's need-to-know circle) may read its documents and attachments."""
    return _has_role(actor, CASE_FILE_READER_ROLES)


def may_add_attachment(actor: Actor) -> bool:
    """Evidence and incoming letters are added by those who work the case (not auditors or admins)."""
    return _has_role(actor, ("intake", "handler", "supervisor", "leader", "committee", "review"))


def may_manage_case_file(actor: Actor, holdings: Holdings, department_id: int | None, case_id: int | None) -> bool:
    """The case's department head (部门负责人) or case management (案管) archives it and cancels its documents."""
    if department_id is not None and department_id in holdings.departments(("head",), case_id):
        return True
    return holdings.holds(("case_management",), case_id)
