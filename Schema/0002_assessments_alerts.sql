-- Forecast history, alert state and history, silences, the webhook outbox, and change notifications.

-- Every assessment ever made: the forecast history, so forecasts can be scored once deadlines pass.
CREATE TABLE assessment (
    id                 bigserial PRIMARY KEY,
    pledge_id          bigint NOT NULL REFERENCES pledge (id),
    run_id             uuid NOT NULL,
    as_of              date NOT NULL,
    evaluated_at       timestamptz NOT NULL DEFAULT now(),
    status             text NOT NULL,
    status_reason      text NOT NULL,
    target             numeric NOT NULL,
    deadline           date NOT NULL,
    delivered          numeric NOT NULL,
    remaining          numeric NOT NULL,
    days_left          integer NOT NULL,
    required_rate      double precision,
    observed_rate      double precision NOT NULL,
    pace_ratio         double precision,
    total_p10          double precision NOT NULL,
    total_p50          double precision NOT NULL,
    total_p90          double precision NOT NULL,
    shortfall          double precision NOT NULL,
    probability        double precision CHECK (probability BETWEEN 0 AND 1),
    completion_p10     date,
    completion_p50     date,
    completion_p90     date,
    method             text NOT NULL,
    alternatives       jsonb NOT NULL,
    observations       integer NOT NULL,
    span_days          integer NOT NULL,
    grade              char(1) NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    grade_reasons      jsonb NOT NULL,
    -- The assessment as documents carry it (AssessmentSummary), so exports need no recomputation.
    summary            jsonb NOT NULL
);
CREATE INDEX assessment_pledge_latest ON assessment (pledge_id, id DESC);

-- One row per alert (pledge × rule): its current state. Transitions are in alert_event.
CREATE TABLE alert (
    fingerprint        text PRIMARY KEY,
    pledge_id          bigint NOT NULL REFERENCES pledge (id),
    rule               text NOT NULL CHECK (rule IN ('likely_miss', 'missed', 'stalled', 'at_risk', 'met')),
    state              text NOT NULL CHECK (state IN ('inactive', 'pending', 'firing')),
    labels             jsonb NOT NULL,
    annotations        jsonb NOT NULL,
    active_count       integer NOT NULL DEFAULT 0,
    inactive_count     integer NOT NULL DEFAULT 0,
    starts_at          timestamptz,
    ends_at            timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pledge_id, rule)
);

-- Alert history, kept forever.
CREATE TABLE alert_event (
    id            bigserial PRIMARY KEY,
    fingerprint   text NOT NULL REFERENCES alert (fingerprint),
    run_id        uuid NOT NULL,
    as_of         date NOT NULL,
    from_state    text NOT NULL,
    to_state      text NOT NULL,
    notification  text CHECK (notification IN ('firing', 'resolved')),
    silenced_by   bigint,
    annotations   jsonb NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_event_fingerprint ON alert_event (fingerprint, id);

CREATE TABLE silence (
    id          bigserial PRIMARY KEY,
    pledge_id   bigint NOT NULL REFERENCES pledge (id),
    rule        text CHECK (rule IN ('likely_miss', 'missed', 'stalled', 'at_risk', 'met')),
    until       date NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expired_at  timestamptz
);
ALTER TABLE alert_event ADD FOREIGN KEY (silenced_by) REFERENCES silence (id);

-- Webhook notifications, written in the same transaction as the alert transition they announce.
CREATE TABLE outbox (
    id               bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    url              text NOT NULL,
    payload          jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    delivered_at     timestamptz
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- Listeners (`pledgewatch serve`) hear about ledger changes within seconds.
CREATE FUNCTION notify_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pledgewatch_ledger', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER delivery_notify AFTER INSERT ON delivery
    FOR EACH STATEMENT EXECUTE FUNCTION notify_ledger_change();
CREATE TRIGGER pledge_notify AFTER INSERT OR UPDATE ON pledge
    FOR EACH STATEMENT EXECUTE FUNCTION notify_ledger_change();
CREATE TRIGGER pledge_terms_notify AFTER INSERT ON pledge_terms
    FOR EACH STATEMENT EXECUTE FUNCTION notify_ledger_change();
