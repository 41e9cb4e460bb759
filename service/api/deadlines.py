"""Deadlines: overdue view, due-soon counts and flags, suspend/resume, extensions, the holiday override table."""

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import calendar_admin, deadline_queries, deadlines, pages
from service.reads import read, read_with_services
from service.runtime import services
from service.schemas.common import Extended
from service.schemas.deadlines import (
    CaseDeadlinesOut,
    CountsOut,
    DecisionIn,
    ExtensionIn,
    ExtensionOut,
    FlaggedTaskOut,
    NoteIn,
    OverdueOut,
    OverrideIn,
    OverrideOut,
    PendingApprovalOut,
    ReasonIn,
    SuspensionOut,
    YearArgs,
)

blp = ApiBlueprint("deadlines", __name__, description="期限：中止、延期、逾期督办、节假日调整")


def _case_deadlines(case_id: int) -> dict:
    return read_with_services(deadline_queries.case_deadlines, actor(), case_id)


@blp.route("/tasks/overdue")
@blp.response(200, OverdueOut(many=True))
@blp.errors(401, 403)
@api_login_required
def overdue():
    """The supervisors' overdue view: open tasks past due and tasks escalated by a deadline timer."""
    return read(deadline_queries.overdue_work_items, actor(), services().now())


@blp.route("/tasks/counts")
@blp.response(200, CountsOut)
@blp.errors(401)
@api_login_required
def counts():
    """How many of my open tasks are overdue and how many are due within DUE_SOON_WORKDAYS working days."""
    result = read_with_services(pages.task_counts, actor())
    return {**result, "due_soon_workdays": services().config.DUE_SOON_WORKDAYS}


@blp.route("/tasks/flagged")
@blp.response(200, FlaggedTaskOut(many=True))
@blp.errors(401)
@api_login_required
def flagged():
    """My worklist with a due flag per task (overdue / due_soon / null)."""
    rows = read_with_services(deadline_queries.flagged_tasks, actor())
    return [Extended(item, flag=flag) for item, _case, flag in rows]


@blp.route("/tasks/<string:task_id>/suspend", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, CaseDeadlinesOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def suspend(body, task_id):
    """Ask to suspend the task's deadline (中止) with a reason; the clock stops only when another person approves."""
    return _case_deadlines(deadlines.suspend_deadline(services(), actor().id, task_id, body["reason"]).case_id)


@blp.route("/approvals")
@blp.response(200, PendingApprovalOut(many=True))
@blp.errors(401)
@api_login_required
def approvals():
    """The extension and suspension requests waiting for my decision (not my own), oldest first."""
    return read(deadline_queries.pending_approvals, actor(), services().now())


@blp.route("/suspensions/<int:suspension_id>/approve", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, SuspensionOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def approve_suspension(body, suspension_id):
    """Approve a suspension request (supervisor/leader, not the requester): the deadline's clock stops now."""
    deadlines.approve_suspension(services(), actor().id, suspension_id, body["note"])
    return read(pages.suspension, suspension_id)


@blp.route("/suspensions/<int:suspension_id>/reject", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(200, SuspensionOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def reject_suspension(body, suspension_id):
    """Refuse a suspension request with a note; the deadline keeps running."""
    deadlines.reject_suspension(services(), actor().id, suspension_id, body["note"])
    return read(pages.suspension, suspension_id)


@blp.route("/tasks/<string:task_id>/resume", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, CaseDeadlinesOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def resume(body, task_id):
    """Resume a suspended deadline; it moves by the working days it stood still."""
    return _case_deadlines(deadlines.resume_deadline(services(), actor().id, task_id, body["reason"]).case_id)


@blp.route("/tasks/<string:task_id>/extensions", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def request_extension(body, task_id):
    """Ask for an extension (延期) of some working days; nothing moves until a supervisor or leader approves."""
    view = deadlines.request_extension(services(), actor().id, task_id, body["workdays"], body["reason"])
    return _extension(view.event.summary["extension_id"])


@blp.route("/extensions/<int:extension_id>/approve", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, ExtensionOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def approve_extension(body, extension_id):
    """Approve an extension (supervisor/leader, not the requester): the deadline and its timer move."""
    deadlines.approve_extension(services(), actor().id, extension_id, body["note"])
    return _extension(extension_id)


@blp.route("/extensions/<int:extension_id>/reject", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(200, ExtensionOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def reject_extension(body, extension_id):
    """Refuse an extension with a note; the deadline stays."""
    deadlines.reject_extension(services(), actor().id, extension_id, body["note"])
    return _extension(extension_id)


@blp.route("/cases/<int:case_id>/deadlines")
@blp.response(200, CaseDeadlinesOut)
@blp.errors(401, 403, 404)
@api_login_required
def case_deadlines(case_id):
    """The case's open deadlines, suspensions, extensions, timers and missing-holiday-data warnings."""
    return read_with_services(deadline_queries.case_deadlines, actor(), case_id)


@blp.route("/calendar/overrides")
@blp.arguments(YearArgs, location="query")
@blp.response(200, OverrideOut(many=True))
@blp.errors(401, 403)
@api_login_required
def list_overrides(args):
    """The holiday override table (optionally one year)."""
    return read(calendar_admin.list_overrides, args.get("year"))


@blp.route("/calendar/overrides", methods=["POST"])
@blp.arguments(OverrideIn)
@blp.response(201, OverrideOut)
@blp.errors(401, 403, 409)
@api_login_required
def add_override(body):
    """Set a day as a closure or an extra working day (admin)."""
    day = calendar_admin.add_override(services(), actor().id, body["day"], body["is_workday"], body["reason"])
    return next(o for o in read(calendar_admin.list_overrides, day.year) if o.day == day)


@blp.route("/calendar/overrides/<string:day>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404, 422)
@api_login_required
def remove_override(day):
    """Delete the override of a day (admin)."""
    calendar_admin.remove_override(services(), actor().id, day)


def _extension(extension_id: int):
    return read(pages.extension, extension_id)
