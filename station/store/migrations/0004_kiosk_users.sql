-- Kiosk users (issue 6): school and DRSE staff who sign in on the touchscreen with a personal
-- PIN. The PIN is stored only as a slow hash (scrypt). Failed attempts and the lockout live
-- here so a restart does not reset them. name_key is the name case-folded (SQLite's NOCASE
-- folds only ASCII, and staff names carry accents) so two users cannot share a name.

CREATE TABLE kiosk_users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('operator', 'director', 'admin')),
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until REAL,
    last_sign_in TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
