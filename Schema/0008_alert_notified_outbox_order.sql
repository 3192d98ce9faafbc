-- Two things the alert notifiers must keep straight for a receiver (a review of the alerting):
--
-- alert.notified: whether the notifiers were told that the alert's current episode fires. A silence holds
--   the firing notification back; when the silence ends while the alert still fires, the next evaluation
--   sends it (until now it was never sent, and the receiver later got a "resolved" for an alert it had
--   never seen). A "resolved" goes out exactly when the firing did, silence or not, so an incident the
--   receiver opened is always closed. Filled in from the history for alerts firing now: told unless
--   their firing notification was silenced.
--
-- outbox_pending_by_alert: a receiver gets one alert's notifications in the order they were made. A
--   firing notification waiting in backoff holds back the resolved that followed it (before, the resolved
--   could arrive first and the stale firing reopen the incident). The index finds an alert's earlier
--   undelivered notification for each candidate, so the check does not scan the whole backlog.
ALTER TABLE alert ADD COLUMN notified boolean NOT NULL DEFAULT false;

UPDATE alert a SET notified = true
WHERE a.state = 'firing'
  AND EXISTS (
    SELECT 1 FROM alert_event e
    WHERE e.fingerprint = a.fingerprint AND e.notification = 'firing' AND e.silenced_by IS NULL
      AND e.id > coalesce((SELECT max(r.id) FROM alert_event r WHERE r.fingerprint = a.fingerprint AND r.to_state = 'inactive'), 0));

CREATE INDEX outbox_pending_by_alert ON outbox (url, (payload ->> 'groupKey'), id) WHERE delivered_at IS NULL;
