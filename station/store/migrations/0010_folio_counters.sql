-- Each folio block counts its used folios, kept in the same transaction as the folio_uses row
-- (station.store.sheet_records), so taking a sheet's folios reads the open blocks only and
-- never counts folio_uses (issue 17: that count was a full scan and sort per sheet, 61 ms at
-- 100k folios). `station audit` checks each counter against folio_uses.
ALTER TABLE folio_blocks ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
-- One pass over folio_uses (UPDATE ... FROM, SQLite 3.33+), not one per block.
UPDATE folio_blocks SET used = c.n
    FROM (SELECT block_id, count(*) AS n FROM folio_uses GROUP BY block_id) AS c
    WHERE c.block_id = folio_blocks.id;
-- The blocks with a folio left: the per-sheet query repeats this condition word for word so
-- SQLite can read this (small) index instead of every block ever received.
CREATE INDEX folio_blocks_open ON folio_blocks (first_folio)
    WHERE used < last_folio - first_folio + 1;
