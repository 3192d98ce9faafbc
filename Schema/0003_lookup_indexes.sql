-- Lookups that must not scan whole tables as the ledger and the assessment history grow.

-- Reported totals, found quickly: a delivery recorded or imported with a date before a later reported
-- total is compensated at that report (so the total it states stays true), and finding "the next report"
-- for every imported row must not scan the whole ledger of each pledge.
CREATE INDEX delivery_reports ON delivery (pledge_id, delivered_on, id) WHERE kind = 'report';

-- One evaluation run's assessments (the exported dashboard reads them a batch of pledges at a time);
-- every run adds a row per pledge, so without this each batch would scan the whole history.
CREATE INDEX assessment_run ON assessment (run_id, pledge_id);
