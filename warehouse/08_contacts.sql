-- Personal data from registry pages. Never exported to Parquet unless asked (--export-contacts).
CREATE TABLE IF NOT EXISTS contacts (
    trial_id    VARCHAR NOT NULL,
    contact_seq INTEGER NOT NULL,
    role        VARCHAR,
    name        VARCHAR,
    email       VARCHAR,
    phone       VARCHAR,
    run_id      VARCHAR NOT NULL
);
