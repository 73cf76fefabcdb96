-- Patient matching in SQL. The profile is a MAP of parameter -> value in the parameter's primary
-- canonical unit (table parameter_units), e.g.
--   SELECT * FROM match_patient(MAP {'age': 35, 'egfr': 25}, patient_sex := 'male');
-- `trials match` does the same from the command line and converts units for you.

-- One row per criterion with thresholds: passed | failed | unknown | not applicable for this patient.
-- Exclusion thresholds are read as conditions that exclude (an exclusion "hemoglobin < 8" fails a
-- patient with 7); thresholds sharing an alt_group are alternatives; negated thresholds are inverted;
-- a time window or a value missing from the profile is unknown, never guessed.
CREATE OR REPLACE MACRO criterion_verdicts(profile, patient_sex := NULL) AS TABLE
WITH judged AS (
    SELECT t.trial_id, t.kind, t.criterion_seq,
           CASE WHEN t.alt_group > 0 THEN t.alt_group ELSE -t.threshold_seq END AS requirement,
           CASE
               WHEN t.population IS NOT NULL AND lower(patient_sex) = 'male' AND t.population <> 'male' THEN 'n/a'
               WHEN t.population = 'male' AND lower(patient_sex) = 'female' THEN 'n/a'
               WHEN t.population IS NOT NULL AND (patient_sex IS NULL OR t.population NOT IN ('male', 'female'))
                   THEN 'unknown'
               WHEN t.parameter = 'time_window' THEN 'unknown'
               WHEN p.value IS NULL OR t.value_canonical IS NULL OR u.unit_canonical IS DISTINCT FROM t.unit_canonical
                   THEN 'unknown'
               WHEN (CASE t.op WHEN '<' THEN p.value < t.value_canonical
                               WHEN '<=' THEN p.value <= t.value_canonical
                               WHEN '>' THEN p.value > t.value_canonical
                               WHEN '>=' THEN p.value >= t.value_canonical
                               WHEN '=' THEN p.value = t.value_canonical
                               ELSE p.value BETWEEN t.value_canonical AND t.value_high_canonical END) <> t.negated
                   THEN 'met'
               ELSE 'not met'
           END AS outcome
    FROM criteria_thresholds t
    LEFT JOIN parameter_units u USING (parameter)
    CROSS JOIN LATERAL (SELECT TRY_CAST(map_extract_value(profile, t.parameter) AS DOUBLE) AS value) p
),
requirements AS (
    SELECT trial_id, kind, criterion_seq,
           CASE WHEN bool_or(outcome = 'met') THEN 'met'
                WHEN bool_and(outcome = 'n/a') THEN 'n/a'
                WHEN bool_and(outcome IN ('not met', 'n/a')) THEN 'not met'
                ELSE 'unknown' END AS outcome
    FROM judged GROUP BY trial_id, kind, criterion_seq, requirement
)
SELECT trial_id, kind, criterion_seq,
       CASE WHEN bool_or(outcome = CASE kind WHEN 'inclusion' THEN 'not met' ELSE 'met' END) THEN 'failed'
            WHEN bool_and(outcome = 'n/a') THEN 'not applicable'
            WHEN bool_or(outcome = 'unknown') THEN 'unknown'
            ELSE 'passed' END AS verdict
FROM requirements GROUP BY trial_id, kind, criterion_seq;

-- One row per trial, ranked: trials that could admit the patient first (most criteria checked and
-- passed), then the excluded ones with the number of failed checks.
CREATE OR REPLACE MACRO match_patient(profile, patient_sex := NULL) AS TABLE
WITH verdicts AS (SELECT * FROM criterion_verdicts(profile, patient_sex := patient_sex)),
per_trial AS (
    SELECT trial_id,
           count(*) FILTER (verdict = 'passed') AS passed,
           count(*) FILTER (verdict = 'failed') AS failed,
           count(*) FILTER (verdict = 'unknown') AS unknown
    FROM verdicts GROUP BY trial_id
),
limits AS (
    SELECT t.trial_id,
           (TRY_CAST(map_extract_value(profile, 'age') AS DOUBLE) < t.min_age_years
            OR TRY_CAST(map_extract_value(profile, 'age') AS DOUBLE) > t.max_age_years
            OR (t.sex IN ('MALE', 'FEMALE') AND upper(patient_sex) IN ('MALE', 'FEMALE') AND upper(patient_sex) <> t.sex)
           ) IS TRUE AS outside_limits
    FROM trials t
),
free_text AS (
    SELECT c.trial_id, count(*) AS n FROM criteria c
    ANTI JOIN criteria_thresholds x ON x.trial_id = c.trial_id AND x.kind = c.kind
                                     AND x.criterion_seq = c.criterion_seq
    GROUP BY c.trial_id
),
ranked AS (
    SELECT t.trial_id, t.title, t.overall_status,
           CASE WHEN l.outside_limits OR coalesce(v.failed, 0) > 0 THEN 'excluded' ELSE 'possible' END AS verdict,
           coalesce(v.passed, 0) AS criteria_passed,
           coalesce(v.failed, 0) + l.outside_limits::INTEGER AS criteria_failed,
           coalesce(v.unknown, 0) AS criteria_unknown,
           coalesce(f.n, 0) AS criteria_free_text
    FROM trials t JOIN limits l USING (trial_id) LEFT JOIN per_trial v USING (trial_id)
    LEFT JOIN free_text f USING (trial_id)
)
SELECT * FROM ranked
ORDER BY verdict DESC, criteria_passed DESC, criteria_passed + criteria_unknown + criteria_free_text = 0,
         criteria_unknown, trial_id;
