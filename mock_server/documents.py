"""The contract's documents, served so browsers and tools can fetch them from the mock.

``GET /openapi.yaml`` is the contract's OpenAPI document (``application/yaml``);
``GET /xsd/<name>`` one of its XML schemas (``application/xml``), e.g. ``/xsd/response.xsd``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from contract.artifacts import openapi_text, xsd_files
from mock_server.control import ControlError, json_error

__all__ = ["register_documents"]


def register_documents(app: Flask) -> None:
    """Add ``/openapi.yaml`` and ``/xsd/<name>`` to ``app``."""
    blueprint = Blueprint("documents", __name__)
    blueprint.add_url_rule("/openapi.yaml", view_func=_openapi, methods=["GET"])
    blueprint.add_url_rule("/xsd/<path:name>", view_func=_xsd, methods=["GET"])
    blueprint.register_error_handler(ControlError, lambda e: json_error(e.status, e.message))
    app.register_blueprint(blueprint)


def _openapi() -> Response:
    return Response(openapi_text().encode("utf-8"), content_type="application/yaml; charset=utf-8")


def _xsd(name: str) -> Response:
    files = xsd_files()
    if name not in files:
        known = ", ".join(sorted(files))
        raise ControlError(404, f"no XSD named {name!r}; the contract has: {known}")
    return Response(files[name], content_type="application/xml; charset=utf-8")
