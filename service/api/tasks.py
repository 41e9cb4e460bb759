"""Tasks: the user's worklist, one task with its form, claim, release, complete."""

from service.api.common import api_login_required, case_body
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions, pages, queries
from service.reads import read, read_with_services
from service.runtime import services
from service.schemas.cases import CaseDetailOut
from service.schemas.common import Extended
from service.schemas.tasks import CompleteIn, TaskDetailOut, TaskListArgs, TaskOut

blp = ApiBlueprint("tasks", __name__, description="待办任务")


@blp.route("/tasks")
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskOut(many=True))
@blp.errors(401)
@api_login_required
def worklist(args):
    """Open tasks the user may act on, most urgent first."""
    rows = read(queries.list_tasks, actor(), args["scope"], args.get("process_key"),
                              now=services().now())
    return [item for item, _case in rows]


@blp.route("/tasks/<string:task_id>")
@blp.response(200, TaskDetailOut)
@blp.errors(401, 403, 404)
@api_login_required
def task_detail(task_id):
    """A task with its role, lane, due date and JSON Schema form."""
    item, case, form, returned, waiting = read_with_services(pages.task_resource, actor(), task_id)
    return Extended(item, case=case, form=form, returned=returned, waiting_note=waiting)


@blp.route("/tasks/<string:task_id>/claim", methods=["POST"])
@blp.response(200, CaseDetailOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def claim(task_id):
    return case_body(actor(), actions.claim_task(services(), actor().id, task_id))


@blp.route("/tasks/<string:task_id>/release", methods=["POST"])
@blp.response(200, CaseDetailOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def release(task_id):
    return case_body(actor(), actions.release_task(services(), actor().id, task_id))


@blp.route("/tasks/<string:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteIn)
@blp.response(200, CaseDetailOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def complete(body, task_id):
    """Complete the task with form data; 403 role/recusal/four-eyes, 409 not ready or stale, 422 form errors."""
    return case_body(actor(), actions.complete_task(services(), actor().id, task_id, body["data"],
                                                    body["case_version"]))
