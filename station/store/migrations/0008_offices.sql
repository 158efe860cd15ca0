-- The DRSE procedures (issue 13, seed 004 procedures 1 and 2).
-- office_requests: a small school's requests (oficio) to its DRSE for its new students' cards
-- and its continuing students' holograms: the oficio PDF printed for signing, the signed and
-- sealed scan, and when central stored it (sent at the next sync).
-- office_news: how central and the DRSE handled this station's requests (procedure 'oficio'
-- or 'material', ref = the station's own request number): state in words and the reason of a
-- return or a rejection, replaced at every sync.
-- office_batches: on a DRSE station, the validated lists central sends it to produce.

CREATE TABLE office_requests (
    id INTEGER PRIMARY KEY,
    cct TEXT NOT NULL,
    cycle TEXT NOT NULL,
    oficio TEXT NOT NULL,
    director TEXT NOT NULL,
    curps TEXT NOT NULL,
    pdf_name TEXT NOT NULL,
    scan_name TEXT,
    sent_at TEXT,
    central_number INTEGER,
    created_on TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE office_news (
    procedure TEXT NOT NULL,
    ref INTEGER NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    words TEXT NOT NULL,
    reason TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (procedure, ref)
);

CREATE TABLE office_batches (
    request INTEGER PRIMARY KEY,
    cct TEXT NOT NULL,
    cycle TEXT NOT NULL,
    cards TEXT NOT NULL,
    holograms TEXT NOT NULL,
    received_at TEXT NOT NULL
);
