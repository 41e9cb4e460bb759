"""Processes may not read the reporter's identity: reporter_* names are refused at upload."""

from tests.workflows.test_engine import bundle_files, flow, process, user_task
from workflows.specs import check_files


def test_a_condition_reading_a_reporter_field_is_refused_with_its_element_id():
    body = ('<bpmn:startEvent id="start" />' + user_task('review') + '<bpmn:exclusiveGateway id="gw" default="f_b" />'
            + '<bpmn:endEvent id="end_a" /><bpmn:endEvent id="end_b" />'
            + flow('f1', 'start', 'review') + flow('f2', 'review', 'gw')
            + flow('f_a', 'gw', 'end_a', "reporter_name == '冯哑元'") + flow('f_b', 'gw', 'end_b'))
    problems = check_files(bundle_files(process(body, pid='leak'), name='leak.bpmn'))
    assert any(p.element_id == 'f_a' and 'reporter_' in p.message for p in problems), problems
