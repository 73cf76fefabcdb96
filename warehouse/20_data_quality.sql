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
FROM unmapped_values;
