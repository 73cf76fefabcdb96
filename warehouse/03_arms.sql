-- Key (trial_id, arm_seq): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS arms (
    trial_id      VARCHAR NOT NULL,
    arm_seq       INTEGER NOT NULL,   -- 1..n in document order
    label         VARCHAR,
    arm_type      VARCHAR,
    description   VARCHAR,
    interventions VARCHAR[],          -- names, without prefixes such as "Drug:"
    run_id        VARCHAR NOT NULL
);
