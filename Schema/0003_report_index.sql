-- Reported totals, found quickly: a delivery recorded or imported with a date before a later reported
-- total is compensated at that report (so the total it states stays true), and finding "the next report"
-- for every imported row must not scan the whole ledger of each pledge.
CREATE INDEX delivery_reports ON delivery (pledge_id, delivered_on, id) WHERE kind = 'report';
