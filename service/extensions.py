"""Flask extensions, created unbound; create_app binds them."""

from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
