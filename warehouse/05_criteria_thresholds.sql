-- Numeric conditions of a criterion, as written and in one canonical unit per parameter.
-- Thresholds of one criterion sharing a non-zero alt_group are alternatives (any one suffices).
-- Key (trial_id, kind, criterion_seq, threshold_seq): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS criteria_thresholds (
    trial_id             VARCHAR NOT NULL,
    kind                 VARCHAR NOT NULL,
    criterion_seq        INTEGER NOT NULL,
    threshold_seq        INTEGER NOT NULL,
    parameter            VARCHAR NOT NULL,
    op                   VARCHAR NOT NULL,   -- < <= > >= = between
    value                DOUBLE,
    value_high           DOUBLE,
    unit                 VARCHAR,            -- as written
    value_canonical      DOUBLE,
    value_high_canonical DOUBLE,
    unit_canonical       VARCHAR,
    alt_group            INTEGER NOT NULL,
    population           VARCHAR,            -- the threshold applies only to this group of patients
    subject              VARCHAR,            -- what a time_window constrains
    negated              BOOLEAN NOT NULL,
    run_id               VARCHAR NOT NULL
);
