"""Process versions for designers: check, deploy with a diff, compare, download, migrate open cases.

Public functions that change state own their transaction, like `actions.py`: deploying goes through
`actions.deploy_process` (one commit, audited), and each case migration is one commit with one
`case_migrated` audit event on the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.deployment import deploy_process, link_problems
from service.cases.errors import InvalidInput, NotAllowed, NotFound
from service.cases.projections import project_case
from service.cases.runtime import Services
from service.cases.tx import find_latest_version, is_recused, load_actor, lock_case, version_by_id
from service.cases.upload_rules import extra_problems, merge_problems, normalize_files
from service.models import Case, ProcessVersion, User, WorkItem
from workflows.bounds import RunBounds
from workflows.errors import SpecInvalid
from workflows.migration import MigrationRefused, bundle_diff, migrate
from workflows.specs import ProcessBundle, content_hash, load_bundle
from workflows.steps import step_result

CHANGE_LABELS = {
    "bpmn_name": "名称", "documentation": "说明", "extensions": "扩展属性（角色/表单/说明等）",
    "cond_task_specs": "条件", "default_task_spec": "默认流", "event_definition": "事件定义（定时器等）",
    "script": "脚本", "prescript": "前置脚本", "postscript": "后置脚本", "lane": "泳道",
    "outputs": "出口", "inputs": "入口", "typename": "元素类型", "decision_ref": "决策表",
}


# ---- reading ----

def _designer(session: Session, actor_id: int, read_only: bool = False) -> User:
    """The acting designer; `read_only` also admits those who may only read versions (auditors)."""
    user = load_actor(session, actor_id)
    if not (permissions.may_read_versions(user) if read_only else permissions.may_deploy(user)):
        raise NotAllowed("只有流程设计员和管理员可以管理流程版本")
    return user


def _previous(session: Session, version: ProcessVersion) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == version.process_key, ProcessVersion.version < version.version)
        .order_by(ProcessVersion.version.desc()).limit(1))


def version_source(svc: Services, actor_id: int, version_id: int) -> dict:
    """A version's metadata and every file as text (for the modeler)."""
    with svc.db.read_session() as session:
        _designer(session, actor_id, read_only=True)
        version = version_by_id(session, version_id)
        return {"id": version.id, "process_key": version.process_key, "version": version.version,
                "name": version.name, "sha256": version.sha256, "files": dict(version.files)}


def version_file(svc: Services, actor_id: int, version_id: int, name: str) -> tuple[bytes, str]:
    """One stored file of a version as (bytes, mimetype)."""
    with svc.db.read_session() as session:
        _designer(session, actor_id, read_only=True)
        version = version_by_id(session, version_id)
        if name not in version.files:
            raise NotFound(f"版本 {version.version} 中没有文件 {name}")
        mimetype = "application/json" if name.endswith(".json") else "application/xml"
        return version.files[name].encode("utf-8"), mimetype


# ---- diffs ----

def spec_diff(svc: Services, old: ProcessBundle, new: ProcessBundle) -> dict:
    """Flow nodes added, removed and changed between two bundles (main and called processes), plus files."""
    diff = bundle_diff(svc.engine, old, new)
    for entry in diff["changed"]:
        entry["labels"] = sorted({CHANGE_LABELS.get(f, f) for f in entry["fields"]})
    return diff


def version_diff(svc: Services, actor_id: int, version_id: int) -> dict:
    """A version compared with the previous version of the same process."""
    with svc.db.read_session() as session:
        _designer(session, actor_id, read_only=True)
        version = version_by_id(session, version_id)
        previous = _previous(session, version)
        if previous is None:
            return {"from_version": None, "to_version": version.version, "added": [], "removed": [],
                    "changed": [], "files": {"added": sorted(version.files), "removed": [], "changed": []}}
        diff = spec_diff(svc, svc.bundle(previous), svc.bundle(version))
        return {"from_version": previous.version, "to_version": version.version, **diff}


# ---- check and deploy ----

def _load(files: dict[str, bytes], bounds: RunBounds) -> tuple[ProcessBundle | None, list[dict]]:
    problems, lines = extra_problems(files)
    bundle = None
    try:
        bundle = load_bundle(files, bounds)
    except SpecInvalid as exc:
        problems = merge_problems(problems, exc.problems, lines)
    if problems:
        return None, [p.to_dict() for p in problems]
    return bundle, []


def _prepare(files: dict[str, bytes], limit: int) -> tuple[dict[str, bytes], list[str]]:
    files, notes, problems = normalize_files(files, limit)
    if problems:
        raise InvalidInput("流程文件未通过检查", [p.to_dict() for p in problems], code="invalid_process")
    return files, notes


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    process_key: str
    name: str
    sha256: str
    notes: list[str]
    diff: dict | None
    base_version: int | None
    same_as_version: int | None


def check_upload(svc: Services, actor_id: int, files: dict[str, bytes]) -> CheckReport:
    """Run deployment's checks plus the designer rules without storing anything; 422 lists problems."""
    with svc.db.read_session() as session:
        _designer(session, actor_id)
    files, notes = _prepare(files, svc.config.MAX_UPLOAD_BYTES)
    bundle, problems = _load(files, svc.engine.bounds)
    if bundle is None:
        raise InvalidInput("流程文件未通过检查", problems, code="invalid_process")
    with svc.db.read_session() as session:
        problems = link_problems(session, bundle)
        if problems:
            raise InvalidInput("流程文件未通过检查", problems, code="invalid_process")
        latest = find_latest_version(session, bundle.key)
        same = session.scalar(select(ProcessVersion.version).where(
            ProcessVersion.process_key == bundle.key, ProcessVersion.sha256 == content_hash(files)))
        diff = spec_diff(svc, svc.bundle(latest), bundle) if latest is not None else None
    return CheckReport(True, bundle.key, bundle.name, bundle.sha256, notes, diff,
                       latest.version if latest else None, same)


@dataclass(frozen=True)
class DeployReport:
    """A designer's deploy: the version stored (or found with the same content), the upload's notes, the diff."""

    version_id: int
    process_key: str
    version: int
    created: bool
    notes: list[str]
    diff: dict


def deploy_version(svc: Services, actor_id: int, files: dict[str, bytes], comment: str = "") -> DeployReport:
    """Check with the designer rules, then deploy through `actions.deploy_process`; returns the diff too."""
    with svc.db.read_session() as session:
        _designer(session, actor_id)
    files, notes = _prepare(files, svc.config.MAX_UPLOAD_BYTES)
    bundle, problems = _load(files, svc.engine.bounds)
    if bundle is None:
        raise InvalidInput("流程文件未通过检查", problems, code="invalid_process")
    result = deploy_process(svc, actor_id, files, comment, bundle=bundle)
    diff = version_diff(svc, actor_id, result.version_id)
    return DeployReport(result.version_id, result.process_key, result.version, result.created, notes, diff)


def version_list(svc: Services, actor_id: int) -> list[dict]:
    """Every version with deployer name and open-case count, newest first per process."""
    from service.cases.queries import process_versions

    with svc.db.read_session() as session:
        _designer(session, actor_id, read_only=True)
        rows = process_versions(session)
        names = dict(session.execute(select(User.id, User.display_name)).all())
        return [{"id": v.id, "process_key": v.process_key, "version": v.version, "name": v.name,
                 "sha256": v.sha256, "deployed_at": v.deployed_at, "deployed_by": names.get(v.deployed_by_id),
                 "comment": v.comment, "open_cases": n, "files": sorted(v.files)} for v, n in rows]


# ---- migration ----

class _Refused(Exception):
    """A case cannot be migrated; the message says why (ends the case's transaction, which wrote nothing)."""


@dataclass(frozen=True)
class MigrationResult:
    case_id: int
    reference: str
    migrated: bool
    from_version: int | None
    to_version: int
    reason: str = ""
    dry_run: bool = False


def migration_candidates(svc: Services, actor_id: int, version_id: int) -> list[int]:
    """Open cases of other versions of the same process, oldest first."""
    with svc.db.read_session() as session:
        _designer(session, actor_id)
        target = version_by_id(session, version_id)
        return list(session.scalars(select(Case.id).where(
            Case.process_key == target.process_key, Case.status == "open",
            Case.process_version_id != target.id).order_by(Case.id)))


def migrate_cases(svc: Services, actor_id: int, version_id: int, case_ids: list[int] | None = None,
                  dry_run: bool = False) -> list[MigrationResult]:
    """Move open cases to `version_id` where the engine's diff says it is safe; one transaction per case."""
    with svc.db.read_session() as session:  # who may migrate and to what: checked even for an empty list
        _designer(session, actor_id)
        version_by_id(session, version_id)
    if case_ids is None:
        ids = migration_candidates(svc, actor_id, version_id)
    else:
        ids = list(dict.fromkeys(case_ids))
    return [_migrate_one(svc, actor_id, version_id, case_id, dry_run) for case_id in ids]


def _migrate_one(svc: Services, actor_id: int, version_id: int, case_id: int,
                 dry_run: bool) -> MigrationResult:
    reference, from_version, to_version = "", None, 0
    try:
        with svc.db.write_session() as session:
            actor = _designer(session, actor_id)
            target = version_by_id(session, version_id)
            to_version = target.version
            try:
                case = lock_case(session, case_id)
            except NotFound as exc:
                raise _Refused(exc.message) from exc
            reference = case.reference
            if is_recused(session, case.id, actor.id):   # the designer's own recusal binds here too
                raise _Refused("您已回避本案，不能迁移")
            old = session.get(ProcessVersion, case.process_version_id)
            from_version = old.version
            if case.process_key != target.process_key:
                raise _Refused(f"案件属于流程 {case.process_key}，不能迁移到 {target.process_key}")
            if case.status != "open":
                raise _Refused("案件已办结，无需迁移")
            if old.id == target.id:
                raise _Refused(f"案件已在版本 {target.version}")
            try:
                wf = migrate(svc.engine, svc.engine.restore(svc.bundle(old), case.state), svc.bundle(target))
            except MigrationRefused as exc:
                raise _Refused(exc.message) from exc
            if dry_run:   # the migration ran in memory only; nothing is stored
                return MigrationResult(case_id, reference, True, from_version, to_version, "可以迁移", True)
            _store_migration(svc, session, actor, case, wf, old, target)
    except _Refused as exc:
        return MigrationResult(case_id, reference, False, from_version, to_version, str(exc), dry_run)
    return MigrationResult(case_id, reference, True, from_version, to_version)


def _store_migration(svc: Services, session: Session, actor: User, case: Case, wf, old: ProcessVersion,
                     target: ProcessVersion) -> None:
    now = svc.now()
    step = step_result(svc.engine, wf)
    for task in step.ready:   # items kept open take the new version's title, role and form
        session.execute(update(WorkItem).where(WorkItem.task_id == task.id, WorkItem.completed_at.is_(None)).values(
            title=task.name or task.bpmn_id, role=task.role or "", form=task.form, lane=task.lane or "",
            approves=task.approves))
    case.process_version_id = target.id
    open_items = project_case(session, case, step, now).open_items
    waiting = sorted({item.bpmn_id for item in open_items})
    audit.append(session, chain=audit.case_chain(case.id), at=now, action="case_migrated", actor_id=actor.id,
                 actor_name=actor.display_name, case_id=case.id,
                 summary={"process_key": case.process_key, "from_version": old.version,
                          "to_version": target.version, "from_version_id": old.id, "to_version_id": target.id,
                          "from_sha256": old.sha256, "to_sha256": target.sha256, "waiting_tasks": waiting})
