"""PDFs of the certificates wing: the certificate itself, F01, F02 and F03.

reportlab draws them directly (the benchmark compares it with the same page through HTML and
WeasyPrint). The QR is the shared vector QR of foundation.qr_draw (alphanumeric mode, level Q).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import qrcode
from jinja2 import Environment, FileSystemLoader, select_autoescape
from qrcode.image.svg import SvgPathImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from conalep.catalog.academic_models import model_for
from conalep.certificates.chain import OFFICE_NAMES_ES
from foundation.qr_draw import draw_qr

INSTITUTION = "Colegio de Educación Profesional Técnica del Estado de Veracruz"
PROCEDURE = "Procedimiento 30-524-PO-04"


@dataclass(frozen=True, slots=True)
class SignerLine:
    office: str
    name: str
    signed_at: datetime
    key_id: str


@dataclass(frozen=True, slots=True)
class CertificateView:
    """What the certificate PDF prints; the caller builds it from the stored record."""

    folio: int
    name: str
    matricula: str
    career: str
    model_year: int
    plantel: str
    issued_on: date
    signers: Sequence[SignerLine]
    qr_text: str
    chain_sha256: str
    verify_url: str
    replaces_folio: int | None = None


def _wrap(canvas: Canvas, text: str, x: float, y: float, width: float, style: ParagraphStyle
          ) -> float:
    para = Paragraph(text, style)
    _, height = para.wrap(width, 1000)
    para.drawOn(canvas, x, y - height)
    return y - height


def draw_certificate(canvas: Canvas, view: CertificateView) -> None:
    """One page: the model's text, career, matrícula, folio, the three signers, the QR."""
    model = model_for(view.model_year)
    width, height = LETTER
    styles = getSampleStyleSheet()
    body = ParagraphStyle("cuerpo", parent=styles["Normal"], fontSize=12, leading=17)
    small = ParagraphStyle("chico", parent=styles["Normal"], fontSize=8, leading=10)
    canvas.setTitle(f"Certificado de Terminación de Estudios — folio {view.folio}")
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawCentredString(width / 2, height - 2 * cm, "SISTEMA CONALEP")
    canvas.setFont("Helvetica", 10)
    canvas.drawCentredString(width / 2, height - 2.6 * cm, INSTITUTION)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(width / 2, height - 4 * cm, "CERTIFICADO DE TERMINACIÓN DE ESTUDIOS")
    canvas.setFont("Helvetica", 11)
    canvas.drawRightString(width - 2 * cm, height - 5 * cm, f"Folio: {view.folio}")
    canvas.drawString(2 * cm, height - 5 * cm, f"Plantel: {view.plantel}")
    y = height - 6 * cm
    y = _wrap(canvas,
              f"El Colegio certifica que <b>{view.name}</b>, con matrícula "
              f"<b>{view.matricula}</b>, {model.certificate_text_es} <b>{view.career}</b>.",
              2 * cm, y, width - 4 * cm, body)
    y = _wrap(canvas, f"Modelo Académico {model.year}: {model.summary_es}",
              2 * cm, y - 0.4 * cm, width - 4 * cm, small)
    if view.replaces_folio:
        y = _wrap(canvas, f"Reposición del certificado con folio {view.replaces_folio}, que "
                  "queda cancelado.", 2 * cm, y - 0.3 * cm, width - 4 * cm, small)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(2 * cm, y - 1 * cm, f"Expedido el {view.issued_on:%d/%m/%Y}.")
    y -= 2.2 * cm
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(2 * cm, y, "Firmas electrónicas (en el orden de la norma 17)")
    for i, signer in enumerate(view.signers, start=1):
        y -= 1.1 * cm
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(2 * cm, y, f"{i}. {signer.name}")
        canvas.setFont("Helvetica", 9)
        canvas.drawString(2.5 * cm, y - 0.45 * cm,
                          f"{OFFICE_NAMES_ES.get(signer.office, signer.office)} — firmado el "
                          f"{signer.signed_at:%d/%m/%Y %H:%M:%S} UTC — llave {signer.key_id}")
    qr_size = 5.5 * cm
    draw_qr(canvas, view.qr_text, width - 2 * cm - qr_size, 2.2 * cm, qr_size)
    _wrap(canvas,
          f"Verifique este certificado leyendo el código QR o en {view.verify_url} con el folio "
          f"{view.folio}. Resumen de la cadena de firmas (SHA-256): {view.chain_sha256}",
          2 * cm, 2.2 * cm + qr_size, width - 4.5 * cm - qr_size, small)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(2 * cm, 1.2 * cm, PROCEDURE)
    canvas.showPage()


def certificate_pdf(views: Sequence[CertificateView]) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, invariant=True)
    for view in views:
        draw_certificate(canvas, view)
    canvas.save()
    return buf.getvalue()


def _table_pdf(title: str, subtitle_lines: Sequence[str], header: Sequence[str],
               rows: Sequence[Sequence[object]], footer_lines: Sequence[str] = (),
               wide: bool = False) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(LETTER) if wide else LETTER,
                            title=title, leftMargin=1.5 * cm, rightMargin=1.5 * cm)
    styles = getSampleStyleSheet()
    story: list = [Paragraph(INSTITUTION, styles["Normal"]), Paragraph(title, styles["Title"])]
    story += [Paragraph(line, styles["Normal"]) for line in subtitle_lines]
    story.append(Spacer(1, 0.4 * cm))
    table = Table([list(header), *[[str(c) for c in r] for r in rows]], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]))
    story.append(table)
    story.append(Spacer(1, 0.8 * cm))
    story += [Paragraph(line, styles["Normal"]) for line in footer_lines]
    doc.build(story)
    return buf.getvalue()


def f01_pdf(*, plantel: str, quantity: int, kind: str, justification: str, requested_on: date,
            folio_request_id: int) -> bytes:
    """30-524-PO-04-F01: Solicitud de Formatería Oficial y/o folios electrónicos."""
    return _table_pdf(
        "Solicitud de Formatería Oficial y/o Folios Electrónicos (30-524-PO-04-F01)",
        [f"Solicitud núm. {folio_request_id} del plantel {plantel}, "
         f"{requested_on:%d/%m/%Y}.",
         "Para: Jefatura de Servicios Escolares de la Dirección General."],
        ["Concepto", "Cantidad", "Justificación"],
        [[kind, quantity, justification]],
        ["Persona titular de Servicios Escolares del Plantel: ______________________",
         "Recibe (Servicios Escolares DG): ______________________"],
    )


def acknowledgement_pdf(*, replacement: bool, folio: int, name: str, matricula: str,
                        career: str, plantel: str, delivered_on: date, received_by: str,
                        replaces_folio: int | None = None) -> bytes:
    """F02 (printed and digital files) or F03 (replacement) delivery acknowledgement."""
    code, what = (("30-524-PO-04-F03", "Reposición") if replacement else
                  ("30-524-PO-04-F02", "Impreso y archivos digitales"))
    lines = [f"Plantel {plantel}. Fecha de entrega: {delivered_on:%d/%m/%Y}.",
             f"Recibe: {received_by}."]
    if replacement and replaces_folio:
        lines.append(f"Sustituye al certificado con folio {replaces_folio}, que queda cancelado.")
    return _table_pdf(
        f"Acuse de Entrega del Certificado de Terminación de Estudios Electrónico ({what}) "
        f"({code})",
        lines,
        ["Folio", "Nombre", "Matrícula", "Carrera"],
        [[folio, name, matricula, career]],
        ["Recibí el certificado (PDF impreso y archivo de la cadena de firmas).",
         "Firma de la persona egresada: ______________________",
         "Entrega (Servicios Escolares del Plantel): ______________________"],
    )


LISTING_HEADER = ("Consecutivo", "Folio", "Nombre", "Matrícula", "Carrera")


@cache
def _html_env() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
                       autoescape=select_autoescape(["html"]))


def certificate_html(view: CertificateView) -> str:
    """The same certificate as an HTML page (browser view; the benchmark's WeasyPrint route)."""
    svg = qrcode.make(view.qr_text, image_factory=SvgPathImage,
                      error_correction=qrcode.constants.ERROR_CORRECT_M).to_string()
    return _html_env().get_template("certificates/certificado_documento.html").render(
        v=view, model=model_for(view.model_year), institution=INSTITUTION,
        offices=OFFICE_NAMES_ES,
        qr_svg="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"))
