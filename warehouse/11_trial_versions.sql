-- Every version of every trial (SCD2): a new version each time a trial's document changes.
-- The current version has valid_to NULL; a trial whose document disappeared has none open.
-- Key (trial_id, version): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS trial_versions (
    trial_id            VARCHAR NOT NULL,
    version             INTEGER NOT NULL,
    document_id         VARCHAR NOT NULL,
    valid_from          TIMESTAMP NOT NULL,
    valid_to            TIMESTAMP,
    run_id              VARCHAR NOT NULL,
    trial               VARCHAR NOT NULL,   -- the trials row, as JSON
    arms                VARCHAR,            -- JSON lists of the child rows
    criteria            VARCHAR,
    criteria_thresholds VARCHAR,
    endpoints           VARCHAR
);
