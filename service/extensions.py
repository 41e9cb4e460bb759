"""Flask extensions, created unbound; create_app binds them."""

from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from service.schemas.errors import Error


class QingfengApi(Api):
    """flask-smorest documenting the error body as sent, and no catch-all `default` response:
    each operation lists the error statuses it can answer (see service/api/contract.py)."""

    ERROR_SCHEMA = Error
    DEFAULT_ERROR_RESPONSE_NAME = None


login_manager = LoginManager()
csrf = CSRFProtect()
api = QingfengApi()
