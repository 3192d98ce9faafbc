-- A batch of pledges' open alerts (the exported dashboard lists each entry's open alerts, a batch of
-- 500 pledges at a time) is found by pledge. Without an index on it, every batch scanned the whole
-- alert table: at 100,000 pledges, 200 scans of 100,000 rows per export.
CREATE INDEX alert_pledge ON alert (pledge_id);
