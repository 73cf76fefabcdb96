-- The quick check (flows/extract/quick_check.py): each file as a run last read it whole. A file found again
-- with the same size and modification time is not read; its documents count as seen and unchanged.
-- Bookkeeping, not exported to Parquet.
CREATE TABLE IF NOT EXISTS source_files (
    file_path VARCHAR NOT NULL,   -- as found under the source path: documents.source_path, or an archive's path
    bytes     BIGINT NOT NULL,
    mtime_ns  BIGINT NOT NULL,    -- modification time, nanoseconds since the epoch
    documents INTEGER NOT NULL,   -- the documents read from it
    run_id    VARCHAR NOT NULL
);
