"""The privacy notice (aviso de privacidad, integral and simplificado) that a school or an
office prints and posts: Spanish text with marked blanks the responsible body fills in.

Two presets: ``conalep`` (CONALEP Veracruz's academic follow-up and certificates; seed 000
names Veracruz's data-protection law) and ``credencial`` (the school ID cards of the station
and central; seed 004 names no data-protection law, so the state law is a blank). Legal
references are only those the seeds give, plus the general law named generically; no
article numbers are quoted (docs/privacy.md).

:func:`markdown` gives docs/aviso-de-privacidad.md (a test keeps the file equal to it) and
:func:`notice_pdf` the printable PDF (reportlab).

>>> n = PRESETS["conalep"].filled(responsable="CONALEP Veracruz")
>>> n.responsable, n.domicilio.startswith("[")
('CONALEP Veracruz', True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

GENERAL_LAW = ("Ley General de Protección de Datos Personales en Posesión de Sujetos "
               "Obligados")
VERACRUZ_LAW = ("Ley de Protección de Datos Personales en Posesión de Sujetos Obligados para "
                "el Estado de Veracruz de Ignacio de la Llave")
BLANK_RESPONSABLE = "[RESPONSABLE: nombre de la escuela, plantel o dependencia]"
BLANK_DOMICILIO = "[DOMICILIO del responsable: calle, número, colonia, municipio, C.P.]"
BLANK_UNIDAD = ("[UNIDAD DE TRANSPARENCIA: domicilio, teléfono, correo electrónico y horario "
                "de atención]")
BLANK_SITIO = "[SITIO: dirección de internet o lugar donde se publica este aviso]"


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice's text; the bracketed values are blanks to fill in."""

    titulo: str
    responsable: str
    domicilio: str
    unidad: str
    sitio: str
    datos: tuple[str, ...]
    sensibles: str
    finalidades: tuple[str, ...]
    fundamento: tuple[str, ...]
    transferencias: tuple[str, ...]
    conservacion: tuple[str, ...]

    def filled(self, *, responsable: str = "", domicilio: str = "", unidad: str = "",
               sitio: str = "") -> Notice:
        """The notice with the blanks given filled (empty ones stay marked)."""
        return replace(self, responsable=responsable.strip() or self.responsable,
                       domicilio=domicilio.strip() or self.domicilio,
                       unidad=unidad.strip() or self.unidad, sitio=sitio.strip() or self.sitio)


ARCO_STEPS = (
    "Presente su solicitud ante la Unidad de Transparencia del responsable, por escrito en su "
    "domicilio o por la Plataforma Nacional de Transparencia.",
    "Indique el nombre de la persona titular de los datos y, si es menor de edad, el de su "
    "madre, padre o tutor que la representa, con el documento que acredita la identidad y, en "
    "su caso, la representación.",
    "Describa con claridad los datos y el derecho que ejerce (acceso, rectificación, "
    "cancelación u oposición); para una rectificación, acompañe el documento que sustenta el "
    "dato correcto.",
    "Señale un medio para recibir la respuesta (correo electrónico o domicilio).",
    "La Unidad de Transparencia responde en los plazos que establece la ley aplicable; si la "
    "respuesta no le satisface, puede interponer el recurso que la misma ley prevé.",
)

PRESETS: dict[str, Notice] = {
    "conalep": Notice(
        titulo="Seguimiento académico y certificados de terminación de estudios",
        responsable="Colegio de Educación Profesional Técnica del Estado de Veracruz "
                    "(CONALEP Veracruz)",
        domicilio=BLANK_DOMICILIO, unidad=BLANK_UNIDAD, sitio=BLANK_SITIO,
        datos=("nombre completo, CURP y matrícula",
               "plantel, carrera, generación, semestre, grupo y estatus (inscrito, baja o "
               "egresado)",
               "calificaciones por corte y sus rectificaciones",
               "en caso de baja: tipo, motivo y su detalle, nombre y parentesco de la persona "
               "tutora, su solicitud por escrito y la atención de Psicopedagogía (formato F04)",
               "asesorías complementarias asignadas (formato F05), menciones en reuniones de "
               "revisión de seguimiento académico y sus acuerdos",
               "certificado de terminación de estudios: folio, firmas electrónicas, fecha de "
               "emisión y acuse de entrega (formatos F02 y F03); adeudos con el plantel"),
        sensibles="El detalle del motivo de una baja y la atención de Psicopedagogía pueden "
                  "revelar datos sensibles (salud, situación familiar o económica). Se tratan "
                  "sólo para atender a la persona estudiante, con acceso restringido y "
                  "registrado, y se suprimen al vencer su plazo de conservación.",
        finalidades=("dar seguimiento al aprovechamiento académico por cortes y generar el "
                     "reporte SISEAC",
                     "atender las bajas y asignar asesorías complementarias",
                     "emitir, firmar, validar y entregar el certificado de terminación de "
                     "estudios y reponerlo cuando se solicite",
                     "permitir que cualquier persona verifique la autenticidad de un "
                     "certificado con su código QR (sólo muestra los datos impresos en él)",
                     "elaborar estadísticas e indicadores (eficiencia terminal) sin "
                     "identificar a las personas"),
        fundamento=(f"{VERACRUZ_LAW}.", f"{GENERAL_LAW}.",
                    "Decreto que crea el Colegio Nacional de Educación Profesional Técnica.",
                    "Decreto por el que se crea el Colegio de Educación Profesional Técnica "
                    "del Estado de Veracruz-Llave.",
                    "Procedimiento 30-524-PO-04 «Seguimiento Académico de Alumnos» y los "
                    "Lineamientos para la emisión del Certificado de Terminación de Estudios "
                    "en la modalidad electrónica."),
        transferencias=("A Oficinas Nacionales del CONALEP y a la COSFAC, para la firma y "
                        "validación del certificado de terminación de estudios; es necesaria "
                        "para emitirlo y no requiere su consentimiento.",
                        "No se realizan otras transferencias, salvo las que ordene una "
                        "autoridad competente conforme a la ley."),
        conservacion=("Datos de seguimiento de una baja (persona tutora, detalle, "
                      "solicitud escrita, atención de Psicopedagogía, asesorías, reuniones): "
                      "1095 días después de la baja.",
                      "Los mismos datos de una persona egresada: 365 días después de emitido "
                      "su certificado.",
                      "Calificaciones y registro del certificado (folio, firmas, documento): "
                      "se conservan mientras se necesiten para emitir, verificar o reponer el "
                      "certificado.",
                      "Registro de accesos del personal a sus datos: 730 días.")),
    "credencial": Notice(
        titulo="Credencial escolar de educación básica",
        responsable=BLANK_RESPONSABLE, domicilio=BLANK_DOMICILIO, unidad=BLANK_UNIDAD,
        sitio=BLANK_SITIO,
        datos=("nombre completo y CURP de la alumna o el alumno",
               "fotografía",
               "escuela (CCT), nivel, turno, grado y grupo del ciclo escolar",
               "folio de la credencial, fecha de emisión, holograma del ciclo y, en su caso, "
               "reporte de pérdida o reposición"),
        sensibles="No se recaban datos sensibles. La fotografía y la CURP no se incluyen en "
                  "el código QR de la credencial: el QR sólo contiene folio, nombre, CCT y "
                  "fecha de emisión.",
        finalidades=("identificar a la alumna o el alumno como parte del sistema educativo "
                     "público del estado mediante su credencial escolar",
                     "emitir, reponer y revocar la credencial y llevar el control de folios y "
                     "hologramas",
                     "permitir que se verifique la autenticidad de una credencial con su "
                     "código QR"),
        fundamento=(f"{GENERAL_LAW}.",
                    "[LEY ESTATAL de protección de datos personales en posesión de sujetos "
                    "obligados aplicable]",
                    "Lineamientos para Credencialización de Alumnos de Educación Básica de la "
                    "Secretaría de Educación del Estado de Jalisco."),
        transferencias=("No se realizan transferencias, salvo las que ordene una autoridad "
                        "competente conforme a la ley.",),
        conservacion=("La fotografía y los datos personales de quien causa baja o concluye "
                      "sus estudios se suprimen [PLAZO: número de días configurado en la "
                      "estación y en el servicio central] después; se conservan el folio, "
                      "las fechas y una huella digital (resumen criptográfico) para que la "
                      "auditoría de folios cuadre y una credencial pueda verificarse como "
                      "emitida o revocada.",)),
}


def integral(n: Notice) -> list[tuple[str, list[str]]]:
    """The integral notice as (heading, paragraphs or list items)."""
    return [
        ("Identidad y domicilio del responsable",
         [f"{n.responsable}, con domicilio en {n.domicilio}, es responsable del tratamiento "
          "de los datos personales que se recaban, los cuales se protegen conforme a la "
          f"{GENERAL_LAW} y demás normativa aplicable."]),
        ("Datos personales que se recaban", [f"• {d}." for d in n.datos] + [n.sensibles]),
        ("Finalidades del tratamiento", [f"• {f[0].upper()}{f[1:]}." for f in n.finalidades]),
        ("Fundamento legal", [f"• {f}" for f in n.fundamento]),
        ("Transferencias de datos personales", list(n.transferencias)),
        ("Plazos de conservación", [f"• {c}" for c in n.conservacion]),
        ("Derechos ARCO (acceso, rectificación, cancelación y oposición)",
         ["Usted, o su madre, padre o tutor si es menor de edad, puede acceder a sus datos, "
          "rectificarlos, pedir su cancelación u oponerse a su tratamiento:"]
         + [f"{i}. {s}" for i, s in enumerate(ARCO_STEPS, 1)]
         + [f"Unidad de Transparencia: {n.unidad}."]),
        ("Cambios al aviso de privacidad",
         [f"Cualquier cambio a este aviso se publicará en {n.sitio}."]),
    ]


def simplified(n: Notice) -> list[tuple[str, list[str]]]:
    """The simplified notice (for a poster or the back of a form)."""
    return [
        ("Aviso de privacidad simplificado",
         [f"{n.responsable} trata los datos personales de las personas estudiantes para: "
          + "; ".join(n.finalidades) + ".",
          " ".join(n.transferencias),
          "Puede ejercer sus derechos de acceso, rectificación, cancelación u oposición "
          f"(ARCO) ante la Unidad de Transparencia: {n.unidad}.",
          f"Consulte el aviso de privacidad integral en {n.sitio}."]),
    ]


def markdown(presets: dict[str, Notice] | None = None) -> str:
    """docs/aviso-de-privacidad.md: every preset, integral and simplified."""
    out = ["# Aviso de privacidad", "",
           "<!-- generated by `python -m foundation.privacy_notice`; edit "
           "foundation/privacy_notice.py -->", "",
           "Texto para imprimir (`conalep privacy aviso --para conalep|credencial --out "
           "aviso.pdf`). Lo que está entre corchetes lo llena el responsable.", ""]
    for key, n in (presets or PRESETS).items():
        out += [f"## {n.titulo} (`{key}`)", "", "### Aviso de privacidad integral", ""]
        for heading, paragraphs in integral(n):
            out += [f"#### {heading}", "", *[f"{p}  " for p in paragraphs], ""]
        for _heading, paragraphs in simplified(n):
            out += ["### Aviso de privacidad simplificado", "", *[f"{p}  " for p in paragraphs],
                    ""]
    return "\n".join(line.rstrip() if not line.endswith("  ") else line
                     for line in out).rstrip() + "\n"


def notice_pdf(n: Notice) -> bytes:
    """Both notices of ``n`` on letter pages, ready to print."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    out = BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=letter, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=1.8 * cm,
                            title=f"Aviso de privacidad — {n.titulo}")

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story: list[Any] = [Paragraph("Aviso de privacidad integral", styles["Title"]),
                        Paragraph(esc(n.titulo), styles["Heading2"])]
    for heading, paragraphs in integral(n):
        story.append(Paragraph(esc(heading), styles["Heading3"]))
        story += [Paragraph(esc(p), styles["BodyText"]) for p in paragraphs]
    story += [PageBreak(), Paragraph("Aviso de privacidad simplificado", styles["Title"]),
              Paragraph(esc(n.titulo), styles["Heading2"]), Spacer(1, 0.3 * cm)]
    for _heading, paragraphs in simplified(n):
        story += [Paragraph(esc(p), styles["BodyText"]) for p in paragraphs]
    doc.build(story)
    return out.getvalue()


if __name__ == "__main__":
    print(markdown(), end="")
