-- foreign_keys: off
-- Cards issued before the station existed (normativo 6), registered from a file so their
-- holders need only the cycle hologram. Their folios were never in this station's blocks,
-- so `cards.folio` can no longer reference `folio_uses`: the table is rebuilt without that
-- reference (SQLite cannot drop a constraint, so the runner turns foreign keys off for this
-- migration and checks them all before committing). `origin` says which cards are whose:
-- 'station' cards must have their folio in a block (the audit proves it), 'prior' cards must
-- not.

CREATE TABLE cards_new (
    folio INTEGER PRIMARY KEY,
    curp TEXT NOT NULL REFERENCES students(curp),
    cct TEXT NOT NULL,
    name_on_card TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    key_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'spoiled', 'revoked')),
    status_reason TEXT,
    origin TEXT NOT NULL DEFAULT 'station' CHECK (origin IN ('station', 'prior'))
);

INSERT INTO cards_new (folio, curp, cct, name_on_card, issued_on, key_id, status, status_reason)
    SELECT folio, curp, cct, name_on_card, issued_on, key_id, status, status_reason FROM cards;

DROP TABLE cards;

ALTER TABLE cards_new RENAME TO cards;

CREATE INDEX cards_by_student ON cards (curp, status);

-- Who registered which prior cards, from which file (the file's name only).
CREATE TABLE prior_card_imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    file_name TEXT NOT NULL,
    cards INTEGER NOT NULL,
    taken_by TEXT NOT NULL
);
