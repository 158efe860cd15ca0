-- Hologram serial ranges central handed to this station's school or DRSE (issue 13), as of
-- the last sync, replaced whole at each sync. Empty: central gave none, and the station
-- accepts any received roll as before.
CREATE TABLE assigned_hologram_ranges (
    prefix TEXT NOT NULL,
    first_number INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    width INTEGER NOT NULL,
    cycle TEXT NOT NULL,
    PRIMARY KEY (prefix, width, first_number),
    CHECK (last_number >= first_number)
);

-- What central told this station (a hologram serial or receipt another station also used),
-- kept as received: id is central's, so a notice received twice is kept once.
CREATE TABLE central_notices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL
);
