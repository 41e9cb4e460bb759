"""Workflow state (de)serialization without the embedded spec: specs come from the process bundle."""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec; restores with spec objects placed in the dict."""

    def to_dict(self, workflow):
        """Workflow state without `spec` / `subprocess_specs`."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct['subprocesses'] = self.mapping_to_dict(workflow.subprocesses)
        dct['bpmn_events'] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        """Rebuild a workflow; `spec`/`subprocess_specs` may already be spec objects."""
        spec = dct.pop('spec')
        subprocess_specs = dct.pop('subprocess_specs', {})
        if isinstance(spec, dict):
            spec = self.registry.restore(spec)
            subprocess_specs = self.mapping_from_dict(subprocess_specs)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct['tasks'], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct['root']))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct['subprocesses'], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop('bpmn_events', []))
        return workflow


def make_serializer() -> BpmnWorkflowSerializer:
    """A serializer for Spiff-extension workflows whose top-level dicts carry no spec."""
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def state_to_dict(serializer: BpmnWorkflowSerializer, workflow: BpmnWorkflow) -> dict:
    """JSON-safe state dict (with serializer version, without spec)."""
    dct = serializer.to_dict(workflow)
    dct[serializer.VERSION_KEY] = serializer.VERSION
    return dct


def state_from_dict(serializer: BpmnWorkflowSerializer, state: dict, spec, subprocess_specs) -> BpmnWorkflow:
    """Rebuild a workflow from a stored state dict plus the bundle's specs (input is not modified)."""
    dct = dict(state)
    dct['subprocesses'] = {k: dict(v) for k, v in dct.get('subprocesses', {}).items()}
    dct.pop('spec', None)
    dct.pop('subprocess_specs', None)
    if serializer.VERSION_KEY in dct:
        serializer.migrate(dct)
    dct['spec'], dct['subprocess_specs'] = spec, dict(subprocess_specs)
    return serializer.from_dict(dct)
