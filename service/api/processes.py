"""Startable processes and process versions (list, deploy)."""

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.api.designer import uploaded_files
from service.auth import actor
from service.cases import queries, versioning
from service.cases.errors import NotAllowed
from service.cases.permissions import may_read_versions
from service.reads import read
from service.runtime import services
from service.schemas.common import Extended
from service.schemas.designer import UPLOAD_BODY, DeployOut, ProcessOut, ProcessVersionOut

blp = ApiBlueprint("processes", __name__, description="流程与流程版本")


@blp.route("/processes")
@blp.response(200, ProcessOut(many=True))
@blp.errors(401)
@api_login_required
def startable():
    """Processes the current user may start (latest versions)."""
    return read(queries.startable_processes, actor())


@blp.route("/process-definitions")
@blp.response(200, ProcessVersionOut(many=True))
@blp.errors(401, 403)
@api_login_required
def list_versions():
    """Every deployed version with its open-case count (designers and admins)."""
    if not may_read_versions(actor()):
        raise NotAllowed("只有流程设计员、管理员和审计员可以查看流程版本")
    return [Extended(version, open_cases=open_cases, files=sorted(version.files))
            for version, open_cases in read(queries.process_versions)]


@blp.route("/process-definitions", methods=["POST"])
@blp.response(201, DeployOut)
@blp.doc(**UPLOAD_BODY)
@blp.errors(400, 401, 403, 413, 422)
@api_login_required
def deploy():
    """Deploy a new version (designer/admin) after every designer check; identical content returns the existing one."""
    files, comment = uploaded_files()
    return versioning.deploy_version(services(), actor().id, files, comment)
