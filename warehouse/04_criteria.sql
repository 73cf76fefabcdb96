-- One top-level item of a trial's eligibility list. substr(documents.text, span_start + 1,
-- span_end - span_start) is the criterion; spans are NULL only for escaped structured exports.
-- Key (trial_id, kind, criterion_seq): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS criteria (
    trial_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- inclusion | exclusion
    criterion_seq INTEGER NOT NULL,   -- 1..n within kind, document order
    text          VARCHAR NOT NULL,
    span_start    INTEGER,
    span_end      INTEGER,
    run_id        VARCHAR NOT NULL
);
