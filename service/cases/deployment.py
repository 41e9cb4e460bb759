"""Deploying a process version: immutable, identified by its content hash, audited on the system chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.cases import audit, permissions
from service.cases.errors import InvalidInput, NotAllowed, TooLarge
from service.cases.runtime import Services
from service.cases.tx import load_actor
from service.models import ProcessVersion
from workflows.errors import SpecInvalid
from workflows.reserved import LINK_PREFIX
from workflows.specs import MAX_FILE_BYTES, ProcessBundle, content_hash, load_bundle


@dataclass(frozen=True)
class DeployResult:
    version_id: int
    process_key: str
    version: int
    created: bool


def link_problems(session, bundle: ProcessBundle, also_deployed: frozenset[str] = frozenset()) -> list[dict]:
    """Each linked case the BPMN declares must name a deployed process (itself, or one deployed with it)."""
    known = set(session.scalars(select(ProcessVersion.process_key).distinct())) | set(also_deployed) | {bundle.key}
    main = f"{bundle.key}.bpmn"
    return [{"file": main, "element_id": d.element_id, "line": None,
             "message": f"关联案件 {LINK_PREFIX}{d.name} 的目标流程 {d.process_key} 尚未部署"}
            for d in bundle.links.values() if d.process_key not in known]


def settings_changes(old: dict, new: dict) -> dict:
    """{setting: [old, new]} for every setting whose value differs between two versions."""
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def deploy_process(svc: Services, actor_id: int | None, files: dict[str, bytes], comment: str = "",
                   also_deployed: frozenset[str] = frozenset(), bundle: ProcessBundle | None = None) -> DeployResult:
    """Store a new immutable version of a process; identical content is a no-op returning the existing one.

    `also_deployed`: process keys deployed in the same batch (a directory whose processes link each other).
    `bundle`: the files already parsed by the caller (the designer checks them first): a deploy parses once.
    """
    for name, data in files.items():
        if len(data) > min(MAX_FILE_BYTES, svc.config.MAX_UPLOAD_BYTES):
            raise TooLarge(f"文件 {name} 超过大小上限")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"文件 {name} 不是 UTF-8 编码", [{"file": name, "element_id": None, "line": None,
                                                             "message": "文件须为 UTF-8 编码"}], code="invalid_process")
    if bundle is None:
        try:
            bundle = load_bundle(files, svc.engine.bounds)
        except SpecInvalid as exc:
            raise InvalidInput("流程文件未通过检查", [p.to_dict() for p in exc.problems], code="invalid_process")
    sha = content_hash(files)
    if bundle.sha256 != sha:
        raise ValueError("deploy_process: the parsed bundle is not of these files")
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id) if actor_id is not None else None
        if actor is not None and not permissions.may_deploy(actor):
            raise NotAllowed("只有流程设计员和管理员可以部署流程")
        existing = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == bundle.key,
                                                               ProcessVersion.sha256 == sha))
        if existing is not None:
            return DeployResult(existing.id, existing.process_key, existing.version, False)
        problems = link_problems(session, bundle, also_deployed)
        if problems:
            raise InvalidInput("流程文件未通过检查", problems, code="invalid_process")
        previous = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == bundle.key)
                                  .order_by(ProcessVersion.version.desc()).limit(1))
        number = (previous.version if previous is not None else 0) + 1
        version = ProcessVersion(
            process_key=bundle.key, version=number, name=bundle.name or bundle.key, sha256=sha,
            files={name: data.decode("utf-8") for name, data in sorted(files.items())},
            start_roles=",".join(bundle.start_roles), deployed_by_id=actor.id if actor else None,
            deployed_at=svc.now(), comment=comment[:512],
        )
        session.add(version)
        session.flush()
        svc.remember_bundle(version.id, bundle)
        audit.append(session, chain="system", at=svc.now(), action="process_deployed",
                     actor_id=actor.id if actor else None, actor_name=actor.display_name if actor else "系统",
                     summary={"process_key": bundle.key, "version": number, "sha256": sha, "comment": comment[:200],
                              "settings": bundle.settings,
                              "settings_changed": settings_changes(svc.bundle(previous).settings, bundle.settings)
                              if previous is not None else {}})
        return DeployResult(version.id, bundle.key, number, True)
