-- Sync with central (issue 4): what central acknowledged, cursors, revocations, config.

-- Key/value state of the sync: acked_through, cursors, central's public key, last success.
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Cards revoked anywhere (central's revocation list), checked when verifying a QR offline.
CREATE TABLE revocations (
    key_id TEXT NOT NULL,
    folio INTEGER NOT NULL,
    cause TEXT NOT NULL,
    reason TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    PRIMARY KEY (key_id, folio)
);

-- Configuration central publishes (JSON values), with the version it came with.
CREATE TABLE central_config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- One row per sync attempt: when, how it ended, what moved (station status, support).
CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    pushed INTEGER NOT NULL,
    pulled INTEGER NOT NULL,
    error TEXT
);
