-- Rows that failed validation, kept with the failing check instead of failing the run.
CREATE TABLE IF NOT EXISTS quarantine (
    run_id        VARCHAR NOT NULL,
    document_id   VARCHAR,
    table_name    VARCHAR NOT NULL,
    trial_id      VARCHAR,
    column_name   VARCHAR,
    check_name    VARCHAR NOT NULL,
    failing_value VARCHAR
);
