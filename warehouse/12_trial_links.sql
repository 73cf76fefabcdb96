-- The same real-world trial registered more than once: one row per linked pair (trial_id < linked_trial_id).
CREATE TABLE IF NOT EXISTS trial_links (
    trial_id        VARCHAR NOT NULL,
    linked_trial_id VARCHAR NOT NULL,
    method          VARCHAR NOT NULL,   -- secondary_id | title_similarity
    score           DOUBLE NOT NULL,    -- 0..1
    evidence        VARCHAR NOT NULL,
    PRIMARY KEY (trial_id, linked_trial_id)
);
-- connected components of trial_links, computed by the loader (union-find) after each run
CREATE TABLE IF NOT EXISTS trial_cluster_ids (
    trial_id   VARCHAR NOT NULL PRIMARY KEY,
    cluster_id VARCHAR NOT NULL
);
