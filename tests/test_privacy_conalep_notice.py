"""The privacy notice and the privacy commands: docs/aviso-de-privacidad.md is what
foundation/privacy_notice.py prints; ``conalep privacy aviso`` renders both notices as a PDF
(read back with pdftotext) with the blanks given filled, the others still marked, and this
server's retention periods; ``conalep privacy export`` writes a student's JSON and records
the read."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import require_part
from sqlalchemy import select

from conalep.cli import main
from conalep.cli_privacy import retention_lines
from conalep.models.privacy import AccessRecord
from conalep.settings import ConalepSettings
from foundation.privacy_notice import PRESETS, VERACRUZ_LAW, markdown

ROOT = Path(__file__).resolve().parents[1]

sqlite_only = pytest.mark.parametrize("conalep_db_url", ["sqlite"], indirect=True)
"""The command's part: the export itself runs on both databases in the export tests."""


def pdf_text(path: Path) -> str:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_docs_notice_is_the_printed_one() -> None:
    assert (ROOT / "docs/aviso-de-privacidad.md").read_text("utf-8") == markdown(), (
        "docs/aviso-de-privacidad.md is stale: run "
        "`python -m foundation.privacy_notice > docs/aviso-de-privacidad.md`")
    defaults = ConalepSettings(_env_file=None)
    assert retention_lines(defaults) == PRESETS["conalep"].conservacion
    # only the laws the seeds name, and no article numbers nobody could check
    assert VERACRUZ_LAW in markdown()
    assert not re.search(r"art[íi]culo", markdown(), re.IGNORECASE)


def test_the_aviso_command_prints_both_notices(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONALEP_DATA_DIR", str(tmp_path / "datos"))
    monkeypatch.setenv("CONALEP_PRIVACY_DROPOUT_DAYS", "500")
    out = tmp_path / "aviso.pdf"
    result = CliRunner().invoke(main, ["privacy", "aviso", "--out", str(out),
                                       "--responsable", "CONALEP Plantel Xalapa 165",
                                       "--unidad", "Av. Principal 1, transparencia@ejemplo.mx"])
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(out).split())
    for words in ("Aviso de privacidad integral", "Aviso de privacidad simplificado",
                  "CONALEP Plantel Xalapa 165", "transparencia@ejemplo.mx",
                  "[DOMICILIO del responsable", "500 días después de la baja",
                  "Ley de Protección de Datos Personales en Posesión de Sujetos Obligados para "
                  "el Estado de Veracruz", "rectificación, cancelación u oposición"):
        assert words in text, words
    card = tmp_path / "credencial.pdf"
    result = CliRunner().invoke(main, ["privacy", "aviso", "--para", "credencial", "--out",
                                       str(card)])
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(card).split())
    assert "[RESPONSABLE: nombre de la escuela" in text and "Credencial escolar" in text
    assert "el QR sólo contiene folio, nombre, CCT y fecha de emisión" in text


@sqlite_only
def test_the_export_command(conalep_sessions: Any, conalep_settings: Any, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    from plugin_followup import load_samples

    load_samples(conalep_sessions)
    monkeypatch.setenv("CONALEP_DATA_DIR", str(conalep_settings.data_dir))
    monkeypatch.setenv("CONALEP_DATABASE_URL", conalep_settings.database_url)
    unknown = CliRunner().invoke(main, ["privacy", "export", "0000000000", "--out",
                                        str(tmp_path / "x.json")])
    assert unknown.exit_code == 1 and "No hay un alumno con matrícula 0000000000" \
        in unknown.output
    out = tmp_path / "datos.json"
    done = CliRunner().invoke(main, ["privacy", "export", "2316500012", "--out", str(out)])
    assert done.exit_code == 0, done.output
    document = json.loads(out.read_text("utf-8"))
    assert document["datos"]["alumnos"][0]["matricula"] == "2316500012"
    assert out.stat().st_mode & 0o077 == 0
    with conalep_sessions() as session:
        record = session.scalars(select(AccessRecord)).one()
    assert (record.staff, record.matricula, record.what) == ("conalep-cli", "2316500012",
                                                             "exportación ARCO (JSON)")
