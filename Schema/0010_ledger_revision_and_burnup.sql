-- What lets an export show a run's stored assessments without reading the ledger.
--
-- ledger_revision: per pledge, a number that every statement appending ledger entries for it raises
-- (a statement-level trigger over the rows it inserted: one row written per pledge and statement, whatever
-- the number of entries; an INSERT … ON CONFLICT DO NOTHING that inserts nothing raises nothing). A pledge
-- without a row has revision 0. The ledger is append-only, so a pledge's entries as of any day are fixed
-- by its revision. The row of each pledge a transaction appended for stays locked until it commits: a
-- second transaction appending for the same pledge waits for it (the trigger writes in pledge order, so
-- two single statements never deadlock; two transactions that each append in several statements, for
-- the same pledges in opposite orders, can, and PostgreSQL then cancels one).
-- Exports rely on this trigger: rows loaded into delivery with triggers off (session_replication_role =
-- replica, DISABLE TRIGGER, pg_restore --disable-triggers) must be followed by raising the revisions of
-- their pledges by hand, or exports show assessments made before them as current.
CREATE TABLE ledger_revision (
    pledge_id bigint PRIMARY KEY REFERENCES pledge (id),
    revision  bigint NOT NULL CHECK (revision > 0)
);

-- The function names its table unqualified, so it runs with the search_path it was created with, not the
-- caller's (pg_restore, say, empties it).
CREATE FUNCTION raise_ledger_revision() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO ledger_revision AS r (pledge_id, revision)
    SELECT pledge_id, 1 FROM (SELECT DISTINCT pledge_id FROM appended) p ORDER BY pledge_id
    ON CONFLICT (pledge_id) DO UPDATE SET revision = r.revision + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER delivery_ledger_revision AFTER INSERT ON delivery
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION raise_ledger_revision();

INSERT INTO ledger_revision (pledge_id, revision) SELECT DISTINCT pledge_id, 1 FROM delivery;

-- assessment.revision_fingerprint: `AssessmentInputs.revisionFingerprint`, the inputs' fingerprint with the
-- pledge's ledger revision standing for its timeline. While it matches, an export shows the stored
-- assessment without reading the timeline; when it does not, the timeline is read and inputs_fingerprint
-- decides as before. NULL before this migration.
-- assessment.burnup_days / burnup_totals: the burn-up the dashboard draws (`BurnUp`: at most 24 of the
-- timeline's points), kept by the evaluation that made the assessment: each point's day as days since
-- 1970-01-01, times two, plus one for the assumed anchor; its cumulative total. NULL before this migration.
ALTER TABLE assessment
    ADD COLUMN revision_fingerprint bigint,
    ADD COLUMN burnup_days integer[],
    ADD COLUMN burnup_totals numeric[];
