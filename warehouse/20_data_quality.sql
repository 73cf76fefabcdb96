-- Data-quality rules, one SELECT per rule: (rule, trial_id, detail). Query the view, or read the
-- per-run report (warehouse/reports/) that counts them per rule and per source format.
CREATE OR REPLACE VIEW data_quality AS
SELECT 'min_age_above_max_age' AS rule, trial_id,
       format('min {} > max {}', min_age_years, max_age_years) AS detail
FROM trials WHERE min_age_years > max_age_years
UNION ALL
SELECT 'start_after_completion', trial_id, format('start {} > completion {}', start_date, completion_date)
FROM trials WHERE start_date > completion_date
UNION ALL
SELECT 'recruiting_with_zero_enrollment', trial_id, overall_status
FROM trials WHERE overall_status IN ('RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION')
                  AND enrollment = 0
UNION ALL
SELECT 'placeholder_in_text', trial_id, format('{}: {}', field, value)
FROM (
    SELECT trial_id, 'title' AS field, title AS value FROM trials
    UNION ALL SELECT trial_id, 'brief_title', brief_title FROM trials
    UNION ALL SELECT trial_id, 'sponsor', sponsor FROM trials
    UNION ALL SELECT trial_id, 'criteria.text', text FROM criteria
    UNION ALL SELECT trial_id, 'arms.description', description FROM arms
    UNION ALL SELECT trial_id, 'arms.label', label FROM arms
    UNION ALL SELECT trial_id, 'endpoints.measure', measure FROM endpoints
)
WHERE regexp_matches(value, '^\s*(empty|n/?a|none|null|-|tbd|not applicable)\s*$', 'i') OR value LIKE '%{{%'
UNION ALL
SELECT 'arm_without_intervention', trial_id, format('arm {}: {}', arm_seq, label)
FROM arms WHERE interventions IS NULL OR len(interventions) = 0
UNION ALL
SELECT 'criterion_numbers_without_threshold', c.trial_id, format('{} {}: {}', c.kind, c.criterion_seq, left(c.text, 120))
FROM criteria c
WHERE regexp_matches(c.text, '\d')
  AND NOT EXISTS (SELECT 1 FROM criteria_thresholds t
                  WHERE t.trial_id = c.trial_id AND t.kind = c.kind AND t.criterion_seq = c.criterion_seq)
UNION ALL
SELECT 'unmapped_source_value', trial_id, format('{} = {}', column_name, source_value)
FROM unmapped_values
UNION ALL
-- The large tables' keys are kept unique by the load (a batch first deletes every row it
-- replaces), not by an index: maintaining the indexes cost a fifth of the load time and their memory.
SELECT 'duplicate_key', trial_id, format('{} ({}): {} rows', table_name, key, n)
FROM (
    SELECT 'documents' AS table_name, NULL AS trial_id, format('{}#{}', source_path, record_index) AS key,
           count(*) AS n FROM documents GROUP BY source_path, record_index HAVING count(*) > 1
    UNION ALL SELECT 'arms', trial_id, arm_seq::VARCHAR, count(*) FROM arms GROUP BY ALL HAVING count(*) > 1
    UNION ALL SELECT 'criteria', trial_id, format('{} {}', kind, criterion_seq), count(*)
              FROM criteria GROUP BY trial_id, kind, criterion_seq HAVING count(*) > 1
    UNION ALL SELECT 'criteria_thresholds', trial_id, format('{} {} {}', kind, criterion_seq, threshold_seq), count(*)
              FROM criteria_thresholds GROUP BY trial_id, kind, criterion_seq, threshold_seq HAVING count(*) > 1
    UNION ALL SELECT 'endpoints', trial_id, format('{} {}', kind, endpoint_seq), count(*)
              FROM endpoints GROUP BY trial_id, kind, endpoint_seq HAVING count(*) > 1
    UNION ALL SELECT 'trial_versions', trial_id, version::VARCHAR, count(*)
              FROM trial_versions GROUP BY trial_id, version HAVING count(*) > 1
);
