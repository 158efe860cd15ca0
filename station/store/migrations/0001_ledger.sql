-- The station's ledger: current-state tables plus the append-only event outbox.

CREATE TABLE schools (
    cct TEXT PRIMARY KEY,
    nombre TEXT NOT NULL,
    nivel TEXT NOT NULL,
    turno TEXT NOT NULL,
    domicilio TEXT NOT NULL,
    municipio TEXT NOT NULL,
    telefono TEXT NOT NULL,
    drse TEXT NOT NULL,
    matricula INTEGER NOT NULL,
    internet INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE students (
    curp TEXT PRIMARY KEY,
    nombre TEXT NOT NULL,
    primer_apellido TEXT NOT NULL,
    segundo_apellido TEXT NOT NULL,
    cct TEXT NOT NULL REFERENCES schools(cct),
    grado INTEGER NOT NULL,
    grupo TEXT NOT NULL,
    ciclo TEXT NOT NULL,
    estatus TEXT NOT NULL CHECK (estatus IN ('INSCRITO', 'BAJA')),
    nuevo_ingreso INTEGER NOT NULL,
    photo_hash TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX students_by_school ON students (cct, estatus);

CREATE TABLE folio_blocks (
    id INTEGER PRIMARY KEY,
    first_folio INTEGER NOT NULL,
    last_folio INTEGER NOT NULL,
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    CHECK (last_folio >= first_folio)
);

CREATE TABLE sheets (
    id INTEGER PRIMARY KEY,
    cct TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('generated', 'sent', 'confirmed', 'spoiled')),
    pdf_name TEXT NOT NULL,
    printer TEXT,
    cups_job_id INTEGER,
    reprint_of INTEGER REFERENCES sheets(id),
    spoil_reason TEXT,
    template TEXT NOT NULL
);

CREATE TABLE folio_uses (
    folio INTEGER PRIMARY KEY,
    block_id INTEGER NOT NULL REFERENCES folio_blocks(id),
    state TEXT NOT NULL CHECK (state IN ('issued', 'cancelled', 'spoiled')),
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 7),
    reason TEXT,
    at TEXT NOT NULL,
    UNIQUE (sheet_id, position)
);

CREATE TABLE cards (
    folio INTEGER PRIMARY KEY REFERENCES folio_uses(folio),
    curp TEXT NOT NULL REFERENCES students(curp),
    cct TEXT NOT NULL,
    name_on_card TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    key_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'spoiled', 'revoked')),
    status_reason TEXT
);
CREATE INDEX cards_by_student ON cards (curp, status);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);

CREATE TABLE printer_calibration (
    printer TEXT PRIMARY KEY,
    dx_mm REAL NOT NULL,
    dy_mm REAL NOT NULL,
    scale REAL NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE roster_imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    export_digest TEXT NOT NULL,
    schools INTEGER NOT NULL,
    students INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL
);
