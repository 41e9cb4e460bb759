"""Qingfeng engine layer: BPMN/DMN loading, sandboxed expressions and workflow execution."""
