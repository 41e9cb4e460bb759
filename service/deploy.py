"""Deploy the processes shipped in a bpmn/ directory."""

from __future__ import annotations

from pathlib import Path

from service.cases.actions import DeployResult, deploy_process
from service.cases.runtime import Services
from workflows.specs import collect_sources


def process_keys(bpmn_dir: Path) -> list[str]:
    return sorted(p.stem for p in bpmn_dir.glob("*.bpmn"))


def deploy_directory(svc: Services, bpmn_dir: Path, actor_id: int | None = None) -> list[DeployResult]:
    """Deploy each process file with the DMN tables and forms it uses."""
    keys = process_keys(bpmn_dir)
    return [deploy_process(svc, actor_id, collect_sources(bpmn_dir, key), "随服务部署", frozenset(keys))
            for key in keys]
