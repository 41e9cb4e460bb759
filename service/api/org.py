"""The organisation: departments, accounts and their positions (admin); acting appointments and access
grants (principal); the position vocabulary (everyone, e.g. the designer's picker)."""

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases.org import admin, delegation, positions, queries
from service.reads import read
from service.runtime import services
from service.schemas.org import (
    AccountDetailOut,
    AccountOut,
    ActingIn,
    CreatedOut,
    DeactivationOut,
    DepartmentIn,
    DepartmentOut,
    DepartmentUpdateIn,
    GrantIn,
    MoveIn,
    PasswordIn,
    PositionIn,
    UserCreateIn,
    VocabularyOut,
)

blp = ApiBlueprint("org", __name__, description="组织机构：部门、人员与职务")


@blp.route("/positions/vocabulary")
@blp.response(200, VocabularyOut)
@blp.errors(401)
@api_login_required
def vocabulary():
    """Position kinds, the positions a task may name relative to its case, and department kinds (Chinese labels)."""
    return {"positions": positions.POSITION_LABELS, "task_positions": positions.TASK_POSITION_LABELS,
            "department_kinds": admin.DEPARTMENT_KINDS}


@blp.route("/departments")
@blp.response(200, DepartmentOut(many=True))
@blp.errors(401)
@api_login_required
def list_departments():
    """Every department (to choose a handling department at registration, or to administer them)."""
    return read(queries.departments)


@blp.route("/departments", methods=["POST"])
@blp.arguments(DepartmentIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 409)
@api_login_required
def create_department(body):
    return {"id": admin.create_department(services(), actor().id, body["name"], body["kind"])}


@blp.route("/departments/<int:department_id>", methods=["POST"])
@blp.arguments(DepartmentUpdateIn)
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def update_department(body, department_id):
    """Rename, re-classify or close a department."""
    admin.update_department(services(), actor().id, department_id, body["name"], body["kind"], body["active"])


@blp.route("/users")
@blp.response(200, AccountOut(many=True))
@blp.errors(401, 403)
@api_login_required
def list_users():
    queries.require_admin(actor())
    return read(queries.users_with_positions, services().now())


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreateIn)
@blp.response(201, AccountDetailOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def create_user(body):
    held = [(p["kind"], p["department_id"]) for p in body["positions"]]
    user_id = admin.create_user(services(), actor().id, body["username"], body["display_name"], body["password"],
                                held)
    return read(queries.user_record, user_id, services().now())


@blp.route("/users/<int:user_id>")
@blp.response(200, AccountDetailOut)
@blp.errors(401, 403, 404)
@api_login_required
def user_detail(user_id):
    """An account with its current positions and its whole position history."""
    queries.require_admin(actor())
    return read(queries.user_record, user_id, services().now())


@blp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@blp.response(200, DeactivationOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def deactivate_user(user_id):
    """Deactivate an account: its claims are released; its open cases are listed for the department heads."""
    return admin.deactivate_user(services(), actor().id, user_id)


@blp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def reactivate_user(user_id):
    admin.reactivate_user(services(), actor().id, user_id)


@blp.route("/users/<int:user_id>/password", methods=["POST"])
@blp.arguments(PasswordIn)
@blp.response(204)
@blp.errors(401, 403, 404)
@api_login_required
def reset_password(body, user_id):
    admin.reset_password(services(), actor().id, user_id, body["password"])


@blp.route("/users/<int:user_id>/positions", methods=["POST"])
@blp.arguments(PositionIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def add_position(body, user_id):
    return {"id": admin.add_position(services(), actor().id, user_id, body["kind"], body["department_id"])}


@blp.route("/positions/<int:position_id>/end", methods=["POST"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def end_position(position_id):
    admin.end_position(services(), actor().id, position_id)


@blp.route("/positions/<int:position_id>/move", methods=["POST"])
@blp.arguments(MoveIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def move_position(body, position_id):
    """Move a department position to another department (the old one ends now; history is kept)."""
    return {"id": admin.move_user(services(), actor().id, position_id, body["department_id"])}


@blp.route("/acting-appointments", methods=["POST"])
@blp.arguments(ActingIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404)
@api_login_required
def appoint_acting(body):
    """The principal names a delegate to act in a position until a time limit (audited)."""
    return {"id": delegation.appoint_acting(services(), actor().id, body["delegate_id"], body["kind"],
                                            body["department_id"], body["reason"], body["valid_to"],
                                            body["case_id"])}


@blp.route("/acting-appointments/<int:appointment_id>/revoke", methods=["POST"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def revoke_acting(appointment_id):
    delegation.revoke_acting(services(), actor().id, appointment_id)


@blp.route("/cases/<int:case_id>/access-grants", methods=["POST"])
@blp.arguments(GrantIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404)
@api_login_required
def grant_access(body, case_id):
    """The principal lets a user read a case, with a reason and an end date (audited on the case)."""
    return {"id": delegation.grant_access(services(), actor().id, case_id, body["user_id"], body["reason"],
                                          body["valid_to"])}


@blp.route("/access-grants/<int:grant_id>/revoke", methods=["POST"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def revoke_access(grant_id):
    delegation.revoke_access(services(), actor().id, grant_id)
