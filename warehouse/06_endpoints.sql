-- Key (trial_id, kind, endpoint_seq): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS endpoints (
    trial_id        VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,   -- primary | secondary | other
    endpoint_seq    INTEGER NOT NULL,
    measure         VARCHAR NOT NULL,
    time_frame      VARCHAR,            -- as written
    timepoints_days INTEGER[],          -- days from start of treatment; NULL when unreadable
    run_id          VARCHAR NOT NULL
);
