-- An evaluation writes a batch's alert states, then their history, batch after batch in one
-- transaction. Each history row's reference to its alert is checked with a plan that PostgreSQL keeps
-- for the session, chosen for the alert table's size when the check first ran. Checked row by row as
-- they were written, that was the size after the first batch: a first evaluation of a large ledger whose
-- first 500 pledges raised a handful of alerts got a sequential scan of a one-page table, and then
-- scanned the whole growing table for every later transition (a benchmark variant: 3.9 s instead of
-- 1.5 s at 10,000 pledges; the cost grows with the square of the alerts). Checked at commit, the plan
-- is chosen for the table the evaluation leaves behind. (`evaluate` also discards the session's cached
-- plans as it starts, for a long-lived connection such as `serve`'s.)
ALTER TABLE alert_event ALTER CONSTRAINT alert_event_fingerprint_fkey DEFERRABLE INITIALLY DEFERRED;
