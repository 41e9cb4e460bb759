"""The vocabulary of positions: what each is called, which capabilities it gives, and which position a
BPMN task names relative to its case. Pure: no database, no Flask."""

from __future__ import annotations

from collections.abc import Iterable

# Position kinds a user can hold. Department positions name the department (a deputy: the department
# they oversee, one row per department); the others are body-wide.
POSITION_LABELS = {
    "member": "承办人",
    "head": "部门负责人",
    "deputy": "分管领导",
    "principal": "主要负责人（纪工委书记）",
    "committee_member": "委务会成员",
    "committee_recorder": "委务会记录人",
    "intake": "信访受理",
    "case_management": "案件监督管理",
    "review": "审理人员",
    "designer": "流程设计",
    "auditor": "审计",
    "admin": "系统管理",
}
POSITIONS = tuple(POSITION_LABELS)
DEPARTMENT_POSITIONS = ("member", "head", "deputy")

# Coarse capabilities (the first cut's roles) each position gives; pages and menus still ask for them.
POSITION_ROLES = {
    "member": "handler",
    "head": "supervisor",
    "deputy": "leader",
    "principal": "leader",
    "committee_member": "committee",
    "committee_recorder": "committee",
    "intake": "intake",
    "case_management": "case_management",
    "review": "review",
    "designer": "designer",
    "auditor": "auditor",
    "admin": "admin",
}
# The other way, for accounts created with the first cut's roles (CLI, tests): one position per role.
ROLE_POSITIONS = {
    "handler": "member",
    "supervisor": "head",
    "deputy": "deputy",
    "leader": "principal",
    "committee": "committee_member",
    "intake": "intake",
    "case_management": "case_management",
    "review": "review",
    "designer": "designer",
    "auditor": "auditor",
    "admin": "admin",
}

# What a task's `role` names, relative to the case. The first cut's role names are read through the
# task's lane (role `leader` in a 分管领导 lane is the overseeing deputy); new processes name these directly.
TASK_POSITION_LABELS = {
    "dept_member": "承办部门承办人",
    "dept_head": "承办部门负责人",
    "deputy": "分管该部门的分管领导",
    "principal": "主要负责人",
    "committee": "委务会",
    "intake": "信访受理",
    "case_management": "案件监督管理",
    "review": "案件审理",
}
TASK_POSITIONS = tuple(TASK_POSITION_LABELS)
# Task position -> position kinds that may hold it, and whether the position must be in the case's department.
TASK_POSITION_HOLDERS = {
    "dept_member": (("member",), True),
    "dept_head": (("head",), True),
    "deputy": (("deputy",), True),
    "principal": (("principal",), False),
    "committee": (("committee_member", "committee_recorder"), False),
    "intake": (("intake",), False),
    "case_management": (("case_management",), False),
    "review": (("review",), False),
}
# The first cut's role names a task may still carry, as the designer's picker names them.
LEGACY_ROLE_LABELS = {
    "handler": "承办人（旧名，即承办部门承办人）",
    "supervisor": "部门负责人（旧名，即承办部门负责人）",
    "leader": "领导（旧名：在名称含“分管”的泳道为分管领导，否则为主要负责人）",
}
POSITION_GROUP, LEGACY_GROUP = "按本案确定的职务", "旧角色名（仍可使用）"


def task_role_choices() -> list[dict]:
    """What the designer offers for a task's (or a lane's) `role`, in Chinese: the positions relative to the
    case first, then the first cut's names that still resolve (issue 13 point 2)."""
    return [{"value": k, "label": v, "group": POSITION_GROUP} for k, v in TASK_POSITION_LABELS.items()] + \
        [{"value": k, "label": v, "group": LEGACY_GROUP} for k, v in LEGACY_ROLE_LABELS.items()]


_LEGACY_ROLES = {"handler": "dept_member", "supervisor": "dept_head", "committee": "committee", "intake": "intake"}


# Lanes where our principal records the decision of another body (同级党委, 上级纪委监委): the signature is
# that body's, so recording it is no level of our own chain and the distinct-levels rule does not apply.
OUTSIDE_BODY_LANE_WORDS = ("同级党委", "上级纪委")


def records_outside_decision(lane: str) -> bool:
    return any(word in (lane or "") for word in OUTSIDE_BODY_LANE_WORDS)


def task_position(role: str, lane: str) -> str:
    """The position relative to the case that a task with this `role` property in this lane names."""
    if role in TASK_POSITION_HOLDERS:
        return role
    if role == "leader":
        return "deputy" if "分管" in (lane or "") else "principal"
    return _LEGACY_ROLES.get(role, role)


def roles_of(kinds: Iterable[str]) -> tuple[str, ...]:
    """The capabilities a set of current positions gives, sorted."""
    return tuple(sorted({POSITION_ROLES[k] for k in kinds if k in POSITION_ROLES}))


def position_label(kind: str, department_name: str | None = None) -> str:
    label = POSITION_LABELS.get(kind, kind)
    return f"{label}（{department_name}）" if department_name else label
