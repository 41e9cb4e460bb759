"""How an API view declares its contract beyond the success body: the error statuses it answers.

Every operation in openapi.json lists exactly the errors it can send, each with the one error body
(`Error`); there is no catch-all `default`, so the API fuzz (tests/api/test_fuzz.py) fails on any
status a view answers but does not declare.
"""

from __future__ import annotations

from http import HTTPStatus

from flask_smorest import Blueprint

from service.api.csrf import SAFE_METHODS


class ApiBlueprint(Blueprint):
    """A flask-smorest Blueprint whose views document their error responses."""

    def route(self, rule, *, parameters=None, tags=None, **options):
        """As flask-smorest's; a view taking an unsafe method also declares 403: a cookie-authenticated
        call without the CSRF token or a same-site origin is refused (service/api/csrf.py)."""
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        if set(options.get("methods", ["GET"])) <= SAFE_METHODS:
            return register
        return lambda func: register(self.errors(403)(func))

    def errors(self, *statuses: int):
        """Declare the error statuses this view answers (401 not logged in, 403, 404, 409, 413, 429, …)."""

        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, HTTPStatus(status).name)(func)
            return func

        return decorator

    def public(self, func):
        """Document that this view needs no login (every other operation needs a bearer token or session)."""
        return self.doc(security=[])(func)

    def arguments(self, schema, *, location: str = "json", **kwargs):
        """As flask-smorest's; a JSON body also documents 400 (not JSON) and 413 (over the request size limit)."""
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse
        return lambda func: parse(self.errors(400, 413)(func))
