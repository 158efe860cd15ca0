-- School changes (issue 3, normativo 7): a card names its school, so a student who moved gets
-- a new card of the new school, free. When it is issued, the active card of the former school
-- is revoked as replaced in the same sheet transaction and linked here. new_folio moves to the
-- reprint when the new card's sheet is spoiled (the old card stays revoked).

CREATE TABLE school_changes (
    old_folio INTEGER PRIMARY KEY REFERENCES cards(folio),
    curp TEXT NOT NULL REFERENCES students(curp),
    old_cct TEXT NOT NULL,
    new_cct TEXT NOT NULL,
    new_folio INTEGER NOT NULL REFERENCES cards(folio),
    at TEXT NOT NULL
);
CREATE INDEX school_changes_by_student ON school_changes (curp);
