-- Source values that map to no vocabulary entry: kept visible, never guessed.
CREATE TABLE IF NOT EXISTS unmapped_values (
    trial_id     VARCHAR NOT NULL,
    column_name  VARCHAR NOT NULL,
    source_value VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL
);
