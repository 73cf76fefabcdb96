-- Every document a run sees: a file, or one record of a multi-record export.
-- Key (source_path, record_index): not indexed, see the data_quality rule duplicate_key.
CREATE TABLE IF NOT EXISTS documents (
    document_id   VARCHAR NOT NULL,   -- sha256 hex of the document's bytes
    source_path   VARCHAR NOT NULL,   -- the file as found under the source path; archive!member inside archives
    record_index  INTEGER NOT NULL,   -- 0 for a single-record file; -1 for a file that could not be read to its end
    source_format VARCHAR,
    status        VARCHAR NOT NULL,   -- loaded | partial | rejected | removed
    reason        VARCHAR,            -- why partial, rejected or removed; NULL when loaded
    encoding      VARCHAR,
    bytes         BIGINT NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    text          VARCHAR,            -- the decoded text that character spans refer to
    run_id        VARCHAR NOT NULL,
    -- where contact details sit in text (character offsets, sorted, disjoint): masked in the Parquet export
    contact_spans STRUCT(span_start INTEGER, span_end INTEGER)[]
);
-- a warehouse made before the column: its rows get their spans at the export of its next run that changes something
ALTER TABLE documents ADD COLUMN IF NOT EXISTS contact_spans STRUCT(span_start INTEGER, span_end INTEGER)[];
