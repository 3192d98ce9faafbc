-- A dashboard shows the latest evaluation's stored assessments beside the ledger as it is now. When an
-- entry, a correction or an amendment arrived after that evaluation, the two disagreed: a forecast next
-- to a timeline or terms it was not made from. Two things let the dashboard notice and assess such a
-- pledge afresh, with the policy the evaluation used:
--   assessment.inputs_fingerprint: a 64-bit fingerprint of what the assessment was made from (as-of day,
--     commitment status, terms in force, unit scale, timeline points; `AssessmentInputs` in PledgeCore).
--     NULL for assessments stored before this migration: the dashboard treats them as unknown and
--     assesses afresh until the next evaluation.
--   evaluation_run: each run's as-of day and the policy it assessed with (thresholds and projection
--     settings, as JSON), one row per run.
ALTER TABLE assessment ADD COLUMN inputs_fingerprint bigint;

CREATE TABLE evaluation_run (
    run_id       uuid PRIMARY KEY,
    as_of        date NOT NULL,
    evaluated_at timestamptz NOT NULL DEFAULT now(),
    policy       jsonb NOT NULL
);
