-- The card lifecycle (issue 3): cycles, holograms, loss and replacement, declines and
-- requests, supplies, deliveries to schools. Dates a person gave are ISO days (on_date...),
-- `at` is the UTC moment the station recorded the row.

-- The current cycle is the last row here, with no row, the setting cycle.current.
CREATE TABLE cycle_changes (
    id INTEGER PRIMARY KEY,
    cycle TEXT NOT NULL UNIQUE,
    previous TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL
);

-- A roll of holograms received for a cycle: serials prefix + first..last (zero-padded).
CREATE TABLE hologram_ranges (
    id INTEGER PRIMARY KEY,
    cycle TEXT NOT NULL,
    prefix TEXT NOT NULL,
    first_number INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    width INTEGER NOT NULL,
    reference TEXT NOT NULL,
    received_on TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL,
    CHECK (last_number >= first_number)
);
CREATE INDEX hologram_ranges_by_serial ON hologram_ranges (prefix, width, first_number);

-- Each serial used once: applied to a card (serial -> student -> cycle) or spoiled.
CREATE TABLE hologram_uses (
    serial TEXT PRIMARY KEY,
    range_id INTEGER NOT NULL REFERENCES hologram_ranges(id),
    state TEXT NOT NULL CHECK (state IN ('applied', 'spoiled')),
    cycle TEXT NOT NULL,
    curp TEXT REFERENCES students(curp),
    folio INTEGER REFERENCES cards(folio),
    reason TEXT NOT NULL,
    on_date TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL,
    CHECK (state = 'spoiled' OR (curp IS NOT NULL AND folio IS NOT NULL))
);
CREATE UNIQUE INDEX one_hologram_per_card_and_cycle ON hologram_uses (folio, cycle)
    WHERE state = 'applied';
CREATE INDEX hologram_uses_by_student ON hologram_uses (curp, cycle, state);

-- A loss or theft reported (normativo 8): the card was revoked when this row was written.
CREATE TABLE card_reports (
    id INTEGER PRIMARY KEY,
    folio INTEGER NOT NULL UNIQUE REFERENCES cards(folio),
    curp TEXT NOT NULL REFERENCES students(curp),
    kind TEXT NOT NULL CHECK (kind IN ('lost', 'stolen')),
    reported_on TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX card_reports_by_student ON card_reports (curp);

-- A paid replacement (normativo 9): one receipt, one old card, new_folio once issued.
CREATE TABLE replacements (
    id INTEGER PRIMARY KEY,
    curp TEXT NOT NULL REFERENCES students(curp),
    old_folio INTEGER NOT NULL UNIQUE REFERENCES cards(folio),
    reason TEXT NOT NULL CHECK (reason IN ('lost', 'stolen', 'damaged')),
    receipt_ref TEXT NOT NULL UNIQUE,
    receipt_date TEXT NOT NULL,
    fee_mxn INTEGER NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL,
    new_folio INTEGER UNIQUE REFERENCES cards(folio),
    issued_at TEXT
);
CREATE INDEX replacements_by_student ON replacements (curp);

-- Declines (normativo 4), at most one standing (not withdrawn) per student.
CREATE TABLE declines (
    id INTEGER PRIMARY KEY,
    curp TEXT NOT NULL REFERENCES students(curp),
    declined_on TEXT NOT NULL,
    declared_by TEXT NOT NULL CHECK (declared_by IN ('tutor', 'alumno')),
    taken_by TEXT NOT NULL,
    notes TEXT NOT NULL,
    at TEXT NOT NULL,
    withdrawn_on TEXT,
    withdrawn_by TEXT
);
CREATE UNIQUE INDEX one_standing_decline ON declines (curp) WHERE withdrawn_on IS NULL;

-- Requests for a card (normativo 4). Attended = a card issued or a hologram applied for the
-- student on or after the request day (computed when read, never typed).
CREATE TABLE card_requests (
    id INTEGER PRIMARY KEY,
    curp TEXT NOT NULL REFERENCES students(curp),
    requested_on TEXT NOT NULL,
    requested_by TEXT NOT NULL CHECK (requested_by IN ('tutor', 'alumno')),
    taken_by TEXT NOT NULL,
    notes TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX card_requests_by_student ON card_requests (curp, requested_on);

-- Supplies: receipts and manual adjustments. Use is computed from sheets, cards and holograms.
CREATE TABLE supply_movements (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL CHECK (item IN ('teslin', 'micas', 'hologramas', 'tinta')),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'adjustment')),
    quantity INTEGER NOT NULL,
    reference TEXT NOT NULL,
    reason TEXT NOT NULL,
    hologram_range_id INTEGER UNIQUE REFERENCES hologram_ranges(id),
    on_date TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL,
    CHECK ((kind = 'receipt' AND quantity > 0)
           OR (kind = 'adjustment' AND quantity != 0 AND reason != ''))
);

-- Resupply requests produced (técnico 5): the JSON and PDF as issued.
CREATE TABLE supply_requests (
    id INTEGER PRIMARY KEY,
    created_on TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT NOT NULL,
    payload TEXT NOT NULL,
    pdf_name TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Deliveries from a DRSE to a school (procedure 1), closed by the signed acknowledgement.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    cct TEXT NOT NULL REFERENCES schools(cct),
    cycle TEXT NOT NULL,
    created_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    pdf_name TEXT NOT NULL,
    received_by TEXT,
    received_on TEXT,
    scan_name TEXT,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL,
    closed_at TEXT
);

-- What a delivery carries: an item (a card folio, a hologram serial) goes in one delivery.
CREATE TABLE delivery_items (
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    kind TEXT NOT NULL CHECK (kind IN ('card', 'hologram')),
    item TEXT NOT NULL,
    curp TEXT NOT NULL REFERENCES students(curp),
    PRIMARY KEY (kind, item)
);
CREATE INDEX delivery_items_by_delivery ON delivery_items (delivery_id);
