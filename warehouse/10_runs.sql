CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR NOT NULL PRIMARY KEY,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,   -- completed (a failed run leaves no row: it rolls back)
    sources            VARCHAR[],
    documents_seen     INTEGER NOT NULL,
    documents_loaded   INTEGER NOT NULL,
    documents_partial  INTEGER NOT NULL,
    documents_rejected INTEGER NOT NULL,
    documents_skipped  INTEGER NOT NULL,
    documents_removed  INTEGER NOT NULL,
    -- what the stored links were computed from: a fingerprint of the link code and every trial's candidate columns
    -- (warehouse/links.py); a run whose trials give the same one keeps the links as they are
    links_inputs       VARCHAR
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS links_inputs VARCHAR;
