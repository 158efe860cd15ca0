"""Test data for conalep's privacy wing: one student with a row in every table that can hold
a student's data (grades and a rectification, a baja with its scan file, tutoring, a meeting
and an agreement, a released certificate with folio, signature, paper check, delivery, event
and a settled debt, an access record and an ARCO request), written straight to the tables so
the export is tested against data it did not write itself."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from conalep.followup.actions import SCANS_FOLDER
from conalep.models.academic import Calificacion, Rectificacion
from conalep.models.certificates import (
    CertEvent,
    Certificate,
    CertSignature,
    Debt,
    Delivery,
    Folio,
    FolioGrant,
    PaperCheck,
    SignerKeyRecord,
)
from conalep.models.followup import (
    Acuerdo,
    AcuerdoAlumno,
    Asesoria,
    AsesoriaAlumno,
    Baja,
    Reunion,
    ReunionAlumno,
)
from conalep.models.privacy import AccessRecord, ArcoChange, ArcoRequest, PurgeItem

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
PLANTEL = "165"


def tutor_of(matricula: str) -> str:
    return f"TUTORA DE {matricula}"


def scan_bytes(matricula: str) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + f"escaneo de {matricula}".encode()


def seed_everything(sessions: Any, data_dir: Path, matricula: str, curp: str, n: int, *,
                    released_on: dt.date = dt.date(2025, 8, 1),
                    fecha_baja: dt.date = dt.date(2025, 3, 1)) -> None:
    """A row for ``matricula`` in every student table; ``n`` keeps keys apart per student."""
    scan = scan_bytes(matricula)
    sha = hashlib.sha256(scan).hexdigest()
    (data_dir / SCANS_FOLDER).mkdir(parents=True, exist_ok=True)
    (data_dir / SCANS_FOLDER / f"{sha}.png").write_bytes(scan)
    with sessions() as s, s.begin():
        grade = Calificacion(periodo="2024-2025-2", corte=3, matricula=matricula,
                             clave_modulo="ENFE-51", clave_plantel=PLANTEL, grupo="6ENF-1",
                             clave_docente="D165EN50", calificacion=8.5 + n / 10,
                             fecha_captura=dt.date(2025, 6, 30), late=True, updated_at=NOW)
        s.add(grade)
        s.flush()
        s.add(Rectificacion(calificacion_id=grade.id, kind="captura_tardia", anterior=None,
                            nueva=grade.calificacion, fecha_captura=dt.date(2025, 6, 30),
                            detected_at=NOW, solicitante="DIRECCIÓN", oficio=f"OF-{n}",
                            motivo="captura tardía", recorded_by="dg", recorded_at=NOW))
        s.add(Baja(matricula=matricula, clave_plantel=PLANTEL, periodo="2024-2025-2",
                   fecha_baja=fecha_baja, tipo="DEFINITIVA", motivo="ECONOMICO",
                   detalle=f"detalle privado de {matricula}", tutor_nombre=tutor_of(matricula),
                   tutor_parentesco="Madre", solicitud_sha256=sha, solicitud_tipo="image/png",
                   solicitud_bytes=len(scan), registrada_por="plantel.165", registrada_en=NOW,
                   vista_dg_por=None, vista_dg_en=None, estado="ATENDIDA",
                   fecha_atencion=fecha_baja, resultado="CANALIZADO",
                   acciones=f"nota de psicopedagogía de {matricula}", atendida_por="psico",
                   atendida_en=NOW))
        asesoria = Asesoria(clave_plantel=PLANTEL, periodo="2024-2025-2", clave_modulo="ENFE-51",
                            modulo="Ciencias sociales III", asesor="ASESOR", horario="L 8-9",
                            aula="A1", fecha_inicio=dt.date(2025, 4, 1), registrada_por="dg",
                            registrada_en=NOW)
        asesoria.alumnos.append(AsesoriaAlumno(matricula=matricula, motivo="Corte 2: 4.5"))
        reunion = Reunion(periodo="2024-2025-2", numero=n, clave_plantel=PLANTEL,
                          fecha=dt.date(2025, 4, 2), hora="10:00", lugar="Sala", estado="CELEBRADA",
                          convocada_por="dg", convocada_en=NOW, celebrada_en=NOW)
        reunion.alumnos.append(ReunionAlumno(matricula=matricula))
        acuerdo = Acuerdo(numero=1, texto=f"acuerdo sobre {matricula}", responsable="Tutor",
                          fecha_compromiso=None, registrado_por="dg", registrado_en=NOW)
        acuerdo.alumnos.append(AcuerdoAlumno(matricula=matricula))
        reunion.acuerdos.append(acuerdo)
        s.add_all([asesoria, reunion])
        grant = FolioGrant(reference=f"ON-{n}", first=9000 + n * 10, last=9000 + n * 10 + 9,
                           granted_on=dt.date(2025, 1, 1), recorded_by="on", recorded_at=NOW)
        s.add(grant)
        if s.get(SignerKeyRecord, "k1") is None:
            s.add(SignerKeyRecord(key_id="k1", office="plantel", username="director.165",
                                  signer_name="DIRECTORA", plantel=PLANTEL, public_pem="PEM",
                                  algorithm="ed25519", registered_by="dg", registered_at=NOW))
        s.flush()
        cert = Certificate(folio=9000 + n * 10, plantel=PLANTEL, plantel_name="CONALEP 165",
                           matricula=matricula, active_matricula=matricula, curp=curp,
                           nombre="N", primer_apellido="P", segundo_apellido="S",
                           career_key="ENFE-23", career="ENFERMERÍA", model_year=2023,
                           generation="2022-2025", state="entregado", state_reason=None,
                           document_json="{}", chain_sha256="0" * 64, qr_text="QR",
                           released_on=released_on, replaces_id=None, paper=True,
                           created_at=NOW, updated_at=NOW)
        s.add(cert)
        s.flush()
        s.add_all([
            Folio(folio=cert.folio, grant_id=grant.id, state="used", plantel=PLANTEL,
                  certificate_id=cert.id, cancel_reason=None, changed_at=NOW),
            CertSignature(certificate_id=cert.id, position=1, office="plantel", key_id="k1",
                          signed_at="2025-07-01", signature="firma", received_at=NOW),
            PaperCheck(certificate_id=cert.id, item="foto", ok=True, reason=None,
                       checked_by="dg", checked_at=NOW),
            Delivery(certificate_id=cert.id, form="F02", oficio=f"OF-E-{n}",
                     received_by="MADRE", delivered_on=released_on, recorded_by="dg",
                     recorded_at=NOW),
            CertEvent(certificate_id=cert.id, action="released", actor="dg", detail="", at=NOW),
            Debt(matricula=matricula, plantel=PLANTEL, concept="Biblioteca", recorded_by="dg",
                 recorded_at=NOW, settled_at=NOW),
            AccessRecord(at=NOW, staff="dg.escolares", role="dg_escolares",
                         matricula=matricula, what="ficha del alumno", detail="/x", ip="1.2.3.4"),
        ])
        req = ArcoRequest(kind="rectificacion", matricula=matricula, solicitante="MADRE",
                          recibida_el=dt.date(2025, 9, 1), respondida_el=dt.date(2025, 9, 2),
                          fundamento="error de captura", resultado="atendida", detalle="",
                          registrada_por="dg", registrada_en=NOW)
        s.add(req)
        s.flush()
        s.add_all([ArcoChange(request_id=req.id, tabla="alumnos", campo="nombre",
                              anterior="X", nuevo="Y"),
                   PurgeItem(request_id=req.id, matricula=matricula, motivo="arco-cancelacion",
                             tabla="asesoria_alumnos", filas=0, detalle="", at=NOW)])
