-- The pledge ledger: parties, pledges, their terms with history, the append-only delivery ledger, FX rates.

CREATE TABLE party (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pledge (
    id            bigserial PRIMARY KEY,
    public_id     text NOT NULL UNIQUE CHECK (public_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    donor_id      bigint NOT NULL REFERENCES party (id),
    recipient     text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    category      text NOT NULL CHECK (category IN ('military', 'financial', 'humanitarian')),
    unit          text NOT NULL CHECK (unit ~ '^[a-z][a-z_]{0,31}$' OR unit ~ '^[A-Z]{3}$'),
    unit_scale    smallint NOT NULL CHECK (unit_scale BETWEEN 0 AND 6),
    announced_on  date NOT NULL,
    counts_from   date NOT NULL,
    status        text NOT NULL CHECK (status IN ('proposed', 'committed', 'withdrawn')),
    source        text NOT NULL DEFAULT '',
    notes         text NOT NULL DEFAULT '',
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (counts_from >= announced_on - 366)
);

-- Every status change (commit, withdraw), kept forever.
CREATE TABLE pledge_status_change (
    id           bigserial PRIMARY KEY,
    pledge_id    bigint NOT NULL REFERENCES pledge (id),
    from_status  text,
    to_status    text NOT NULL CHECK (to_status IN ('proposed', 'committed', 'withdrawn')),
    reason       text NOT NULL DEFAULT '',
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now()
);

-- Terms with history: revision 1 is the original; each amendment appends a revision.
CREATE TABLE pledge_terms (
    pledge_id     bigint NOT NULL REFERENCES pledge (id),
    revision      integer NOT NULL CHECK (revision >= 1),
    target        numeric NOT NULL CHECK (target > 0),
    deadline      date NOT NULL,
    effective_on  date NOT NULL,
    reason        text NOT NULL DEFAULT '',
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pledge_id, revision)
);

CREATE TABLE fx_rate (
    base        char(3) NOT NULL CHECK (base ~ '^[A-Z]{3}$'),
    quote       char(3) NOT NULL CHECK (quote ~ '^[A-Z]{3}$' AND quote <> base),
    rate_on     date NOT NULL,
    rate        numeric NOT NULL CHECK (rate > 0),
    source      text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (base, quote, rate_on)
);

-- The delivery ledger. Append-only: corrections are new entries that point at what they correct.
--   delivery:     a quantity delivered on a date
--   report:       a cumulative total reported on a date, stored as its increment over the previous total
--   void:         reverses an entry (quantity = minus the voided entry's)
--   correction:   replaces an entry's quantity (quantity = new − old)
CREATE TABLE delivery (
    id                bigserial PRIMARY KEY,
    pledge_id         bigint NOT NULL REFERENCES pledge (id),
    kind              text NOT NULL CHECK (kind IN ('delivery', 'report', 'void', 'correction')),
    delivered_on      date NOT NULL,
    quantity          numeric NOT NULL,
    reported_total    numeric,
    original_quantity numeric,
    original_currency char(3),
    fx_rate           numeric,
    contributor_id    bigint REFERENCES party (id),
    corrects_id       bigint REFERENCES delivery (id),
    reason            text NOT NULL DEFAULT '',
    source            text NOT NULL DEFAULT '',
    note              text NOT NULL DEFAULT '',
    recorded_by       text NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    idempotency_key   text UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    payload_hash      text,
    CHECK (kind NOT IN ('delivery', 'report') OR quantity >= 0),
    CHECK (kind <> 'delivery' OR quantity > 0),
    CHECK ((kind = 'report') = (reported_total IS NOT NULL)),
    CHECK ((kind IN ('void', 'correction')) = (corrects_id IS NOT NULL)),
    CHECK ((original_currency IS NULL) = (fx_rate IS NULL)),
    CHECK (idempotency_key IS NULL OR payload_hash IS NOT NULL)
);

CREATE INDEX delivery_pledge_date ON delivery (pledge_id, delivered_on);
CREATE UNIQUE INDEX delivery_voided_once ON delivery (corrects_id) WHERE kind = 'void';

CREATE FUNCTION delivery_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the delivery ledger is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a correction or a void instead';
END;
$$;

CREATE TRIGGER delivery_no_update_or_delete
    BEFORE UPDATE OR DELETE ON delivery
    FOR EACH ROW EXECUTE FUNCTION delivery_is_append_only();

CREATE TRIGGER delivery_no_truncate
    BEFORE TRUNCATE ON delivery
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_is_append_only();

-- A date from text, or NULL when the text is not a real YYYY-MM-DD date (for validating imports in SQL).
CREATE FUNCTION pw_try_date(value text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::date;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

-- A quantity from text as the CLI accepts it (digits, optional decimals, `_` anywhere, `,` only between
-- groups of three digits, at most 24 integer digits), or NULL.
CREATE FUNCTION pw_quantity(value text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN v ~ '^[0-9]{1,24}(\.[0-9]+)?$' THEN v::numeric
        WHEN v ~ '^[0-9]{1,3}(,[0-9]{3}){1,7}(\.[0-9]+)?$' THEN replace(v, ',', '')::numeric
    END
    FROM (SELECT replace(btrim(value), '_', '') AS v) cleaned
$$;
