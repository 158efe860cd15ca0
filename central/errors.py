"""Errors central answers with: an HTTP status, a machine code and a sentence in Spanish.

Every refusal has the same JSON shape, so a station can act on ``code`` and show ``message``::

    {"error": {"code": "school-out-of-scope", "message": "La estación EST-00002 …"}}

>>> ApiError(403, "school-out-of-scope", "No.").body()
{'error': {'code': 'school-out-of-scope', 'message': 'No.'}}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from foundation.web.refusal import Refusal


class ApiError(Refusal):
    """A refusal of central: nothing was written (the request's transaction rolls back)."""


_FIELD_WORDS = {
    "missing": "falta",
    "json_invalid": "no es JSON válido",
    "int_type": "debe ser un número entero",
    "int_parsing": "debe ser un número entero",
    "string_type": "debe ser texto",
    "dict_type": "debe ser un objeto JSON",
    "list_type": "debe ser una lista",
    "extra_forbidden": "no se esperaba este campo",
    "date_from_datetime_parsing": "debe ser una fecha AAAA-MM-DD",
    "date_parsing": "debe ser una fecha AAAA-MM-DD",
    "too_long": "tiene demasiados elementos",
    "string_too_long": "es demasiado largo",
    "greater_than_equal": "es demasiado pequeño",
    "string_pattern_mismatch": "no tiene la forma esperada",
    "model_attributes_type": "debe ser un objeto JSON",
    "model_type": "debe ser un objeto JSON",
    "union_tag_invalid": "no es un tipo de evento conocido",
    "union_tag_not_found": "no dice su tipo («kind»)",
    "less_than_equal": "es demasiado grande",
    "greater_than": "es demasiado pequeño",
    "string_too_short": "es demasiado corto",
    "bool_type": "debe ser sí o no (true/false)",
    "float_type": "debe ser un número",
    "literal_error": "no es uno de los valores permitidos",
    "finite_number": "debe ser un número finito",
    "string_unicode": "tiene caracteres que no son texto válido",
}


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "cuerpo"
        what = _FIELD_WORDS.get(err.get("type", ""), err.get("msg", "no es válido"))
        if err.get("type") == "value_error":  # our validators' own Spanish words
            what = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"«{where}» {what}")
    more = f" y {len(errors) - 5} más" if len(errors) > 5 else ""
    return "La solicitud no es válida: " + "; ".join(parts) + more + "."


def install_handlers(app: FastAPI) -> None:
    """Map every refusal (ours, validation, unknown route) onto the JSON shape above."""

    @app.exception_handler(Refusal)
    async def _api_error(_request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        code = "malformed-json" if any(e.get("type") == "json_invalid" for e in errors) \
            else "invalid-body"
        fields = [{"field": ".".join(str(p) for p in e.get("loc", ())), "type": e.get("type")}
                  for e in errors[:20]]
        return JSONResponse(ApiError(422, code, _describe(errors), fields=fields).body(),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        words = {404: ("not-found", "No existe esa dirección en el servicio central."),
                 405: ("method-not-allowed", "Ese método no se permite en esta dirección.")}
        code, message = words.get(exc.status_code, ("http-error", str(exc.detail)))
        return JSONResponse(ApiError(exc.status_code, code, message).body(),
                            status_code=exc.status_code)
