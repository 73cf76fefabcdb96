-- One cluster id per real-world trial: the smallest trial_id of its linked group (itself when unlinked).
CREATE OR REPLACE VIEW trial_clusters AS
SELECT t.trial_id, coalesce(c.cluster_id, t.trial_id) AS cluster_id
FROM trials t LEFT JOIN trial_cluster_ids c USING (trial_id);
