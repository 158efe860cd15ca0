-- Minors' personal data (issue 18): how long the station keeps it, and what it keeps after.
-- students.inactive_since: the day the station first saw the student withdrawn (BAJA) or no
-- longer in their school's roster of the current cycle (finished or left), cleared when they
-- are enrolled again. The retention period (setting privacy.retention_days) counts from it.
-- A BAJA student's clock starts at their row's last change (the best date the ledger has).
ALTER TABLE students ADD COLUMN inactive_since TEXT;
UPDATE students SET inactive_since = substr(updated_at, 1, 10) WHERE estatus = 'BAJA';

-- One row per student whose personal data was purged (tombstone). digest is the keyed one-way
-- digest (HMAC-SHA256 with the station's privacy key) of the CURP: it lets a later roster pull
-- recognise the student without the station keeping the CURP. pseudonym replaced the CURP in
-- every row that kept it (cards, holograms, reports...), so folios and counts still balance.
CREATE TABLE purged_students (
    digest TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL UNIQUE,
    cct TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('retention', 'cancelacion')),
    order_id INTEGER,
    purged_at TEXT NOT NULL
);

-- Files a committed purge still has to delete (photos by hash, print files by name): the row
-- goes when the file is gone, so a crash between the two is finished by the next run.
CREATE TABLE purge_pending_files (
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'sheet')),
    name TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
