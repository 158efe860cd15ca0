"""What the follow-up pages share: a posted form as plain strings, so a refused form is shown
again with what the person typed and its problems listed (status 422, nothing written)."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

CSRF_FIELD = "csrf"


def values(form: FormData) -> dict[str, str]:
    """The text fields of a form (files and the CSRF token left out); repeated fields, such
    as ticked students, are joined by new lines."""
    out: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == CSRF_FIELD or isinstance(value, UploadFile) or not isinstance(value, str):
            continue
        out[key] = f"{out[key]}\n{value}" if key in out else value
    return out

