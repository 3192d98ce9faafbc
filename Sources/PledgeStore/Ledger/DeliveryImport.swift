import Foundation
import Logging
import PledgeCore
import Postgres

/// Bulk import of deliveries, in one transaction: every row lands or none does. A clean file is streamed
/// with COPY straight into the ledger (`DeliveryImport+Direct.swift`); any other goes through a staging
/// table and is validated in SQL.
///
/// Idempotent: a row without an `idempotency_key` gets one derived from its content (and its occurrence
/// number among identical rows of the file), so importing the same file again adds nothing.
public struct DeliveryImport {
    let connection: Connection
    /// Says at info level which way an import went, and why not directly.
    public var logger = Logger(label: "pledgewatch.import")

    public init(_ connection: Connection) { self.connection = connection }

    /// Imports adding at least this many rows vacuum and analyse the ledger afterwards.
    static let analyzeThreshold = 10_000

    /// What an import did.
    public struct Summary: Sendable, Equatable, Codable {
        public let rows: Int
        public let added: Int
        public let alreadyPresent: Int
    }

    /// Streams staging rows (in `DeliveryCSV.columns` order, with their line numbers) to `emit` and returns
    /// the problems found while parsing. It may be called twice (see `run`): each call reads the input anew.
    public typealias Producer = (_ emit: (Int, [String?]) throws -> Void) throws -> [RowProblem]

    /// Imports the rows `produce` yields. A file whose every row the client can vouch for (see
    /// `DirectImportRows`) is streamed with COPY straight into the ledger; if any row needs the database's
    /// checks, or a row's key is already in the ledger, that attempt is rolled back and the rows go through
    /// a staging table, validated in SQL, with every problem reported together, sorted by line.
    public func run(by actor: String, today: CalendarDate = .today(), _ produce: Producer) throws -> Summary {
        let summary = try direct(by: actor, today: today, produce) ?? staged(by: actor, today: today, produce)
        // A bulk load changes the ledger's statistics and leaves its new pages not yet known to be visible
        // to everyone: vacuum and analyse now (after the commit: VACUUM runs outside transactions) rather
        // than leave the planner guessing, and timelines reading the heap row by row instead of the
        // covering index, until autovacuum gets round to it. Only the columns the ledger's queries select,
        // join and group on are analysed now (the text columns — keys, hashes, notes — cost most and steer
        // no plan; autovacuum analyses them later): 49 ms → 21 ms after 20,000 rows. `PARALLEL 0`: an
        // append leaves no dead index entries, so the index cleanup a parallel worker would be started for
        // has nothing to do, and starting it cost 5 ms of a 20 ms vacuum after 20,000 rows (and 50–70 ms of
        // 250 ms after 1,000,000, on two cores). After a direct attempt rolled back for the staged path, its
        // rows' entries are dead, and this vacuum cleans them without the worker: slower then, and rare. A role that may
        // insert but does not own the table gets a warning from PostgreSQL here, not an error.
        if summary.added >= Self.analyzeThreshold {
            try connection.execute(
                "VACUUM (ANALYZE, PARALLEL 0) delivery (pledge_id, kind, delivered_on, corrects_id, contributor_id)")
        }
        return summary
    }

    /// Sets up an import's transaction; returns the highest ledger entry id so far: every entry the import
    /// adds has a higher one.
    func begin(_ tx: Connection) throws -> Int {
        // Durable when the command reports it, whatever the server's default; and with the commit
        // flushed, the VACUUM after it can mark the new pages all-visible at once (it may not while the
        // commit record is unflushed).
        try tx.execute("SET LOCAL synchronous_commit = on")
        return try tx.query("SELECT coalesce(max(id), 0) FROM delivery").scalar(Int.self)
    }

    /// The slow path: COPY into a staging table, validation and the insert in SQL.
    func staged(by actor: String, today: CalendarDate, _ produce: Producer) throws -> Summary {
        try connection.withTransaction { tx in
            let floor = try begin(tx)
            // The occurrence numbering and the insert's ordering sort every row: in memory, not on disk.
            try tx.execute("SET LOCAL work_mem = '128MB'")
            try tx.execute(
                """
                CREATE TEMP TABLE import_staging (
                    line int NOT NULL, pledge text, date date, quantity numeric, currency text, contributor text,
                    source text, note text, idempotency_key text
                ) ON COMMIT DROP
                """)
            var parseProblems: [RowProblem] = []
            try tx.copyIn(
                """
                COPY import_staging (line, pledge, date, quantity, currency, contributor, source, note, idempotency_key)
                FROM STDIN
                """
            ) { writer in
                parseProblems = try produce { line, values in try writer.write([String(line)] + values) }
            }
            try tx.execute("ANALYZE import_staging")
            let problems = (parseProblems + (try validate(tx, today: today))).sorted { $0.line < $1.line }
            guard problems.isEmpty else { throw InputError.invalidRows(problems) }
            let rows = try tx.query("SELECT count(*) FROM import_staging").scalar(Int.self)
            try tx.execute(
                """
                INSERT INTO party (name)
                SELECT DISTINCT contributor FROM import_staging WHERE contributor IS NOT NULL
                ON CONFLICT (name) DO NOTHING
                """)
            // The pledges written to are share-locked, as `delivery record` locks its pledge: a reported
            // total (which locks its pledge exclusively) cannot be computed and committed in between, so
            // the compensation sees every report its rows precede.
            try tx.execute("SELECT 1 FROM pledge WHERE id IN (SELECT pledge_id FROM import_rows) ORDER BY id FOR SHARE")
            let added = try tx.query(
                """
                WITH inserted AS (
                    INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, original_quantity, original_currency,
                                          fx_rate, contributor_id, source, note, recorded_by, idempotency_key, payload_hash)
                    SELECT v.pledge_id, 'delivery', v.day,
                           CASE WHEN NOT v.foreign_currency THEN v.amount
                                WHEN v.fx_base = v.currency THEN round(v.amount * v.rate, v.unit_scale)
                                ELSE round(v.amount / v.rate, v.unit_scale) END,
                           CASE WHEN v.foreign_currency THEN v.amount END,
                           CASE WHEN v.foreign_currency THEN v.currency END,
                           CASE WHEN v.foreign_currency THEN v.rate END,
                           c.id, coalesce(v.source, ''), coalesce(v.note, ''), \(actor),
                           coalesce(v.idempotency_key,
                                    'import:' || encode(sha256(convert_to(v.payload || chr(31) || v.occurrence, 'UTF8')), 'hex')),
                           v.payload_hash
                    FROM import_rows v
                    LEFT JOIN party c ON c.name = v.contributor
                    ORDER BY v.line
                    ON CONFLICT (idempotency_key) DO NOTHING
                    RETURNING 1
                )
                SELECT count(*) FROM inserted
                """
            ).scalar(Int.self)
            try compensate(tx, by: actor, entriesAfter: floor)
            return Summary(rows: rows, added: added, alreadyPresent: rows - added)
        }
    }

    /// For each reported total that follows some of the deliveries this transaction added (the entries
    /// after `floor` that it wrote), one compensating correction: a report states the cumulative total on
    /// its date, which already includes whatever was delivered before it, so what is now recorded
    /// separately is taken off its increment. More than the report adds is refused.
    func compensate(_ tx: Connection, by actor: String, entriesAfter floor: Int) throws {
        let outcome = try tx.query(
            """
            WITH last_report AS (
                SELECT pledge_id, max(delivered_on) AS day FROM delivery WHERE kind = 'report' GROUP BY pledge_id
            ),
            inserted AS (
                SELECT d.pledge_id, d.delivered_on, d.quantity
                FROM delivery d JOIN last_report l ON l.pledge_id = d.pledge_id AND l.day > d.delivered_on
                WHERE d.id > \(floor) AND d.kind = 'delivery' AND d.xmin = pg_current_xact_id()::xid
            ),
            followed AS (
                SELECT r.id AS report, r.pledge_id, r.delivered_on, sum(n.quantity) AS quantity
                FROM inserted n
                CROSS JOIN LATERAL (
                    SELECT d.id, d.pledge_id, d.delivered_on FROM delivery d
                    WHERE d.kind = 'report' AND d.pledge_id = n.pledge_id AND d.delivered_on > n.delivered_on
                      AND NOT EXISTS (SELECT 1 FROM delivery x WHERE x.corrects_id = d.id AND x.kind = 'void')
                    ORDER BY d.delivered_on, d.id LIMIT 1
                ) r
                GROUP BY r.id, r.pledge_id, r.delivered_on
            ),
            compensated AS (
                INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, corrects_id, reason, recorded_by)
                SELECT f.pledge_id, 'correction', f.delivered_on, -f.quantity, f.report,
                       format('keeps report #%s''s total: imported deliveries dated before it', f.report), \(actor)
                FROM followed f
                RETURNING id
            ),
            overdrawn AS (
                SELECT f.report, f.quantity,
                       (SELECT d.quantity FROM delivery d WHERE d.id = f.report)
                       + coalesce((SELECT sum(c.quantity) FROM delivery c WHERE c.corrects_id = f.report), 0) AS increment
                FROM followed f
            )
            SELECT (SELECT count(*) FROM compensated), o.report, o.increment, o.quantity
            FROM (SELECT 1) one
            LEFT JOIN overdrawn o ON o.quantity > o.increment
            ORDER BY o.report LIMIT 1
            """
        ).first!
        let (_, report, increment, quantity) = try outcome.decode((Int, Int?, Decimal?, Decimal?).self)
        if let report, let increment, let quantity {
            throw InputError.conflict(
                "the imported deliveries dated before report #\(report) add up to \(quantity), more than the \(increment) "
                    + "that report adds to the total before it; nothing imported — correct the report first "
                    + "(`delivery correct \(report) --quantity <total>`)")
        }
    }

    /// Every bad row with its first problem.
    private func validate(_ tx: Connection, today: CalendarDate) throws -> [RowProblem] {
        // The staging rows with their pledge, parsed values, payload and its hash, computed once and used
        // by both the validation and the insert.
        try tx.execute(
            """
            CREATE TEMP TABLE import_rows ON COMMIT DROP AS
            SELECT r.*, encode(sha256(convert_to(r.payload, 'UTF8')), 'hex') COLLATE "C" AS payload_hash,
                   row_number() OVER (PARTITION BY r.payload COLLATE "C" ORDER BY r.line) AS occurrence
            FROM (
            SELECT s.line, s.pledge, s.currency, s.contributor, s.source, s.note, s.idempotency_key,
                   p.id AS pledge_id, p.unit, p.unit_scale, p.counts_from, p.status,
                   s.date AS day, s.quantity AS amount,
                   s.currency IS NOT NULL AND s.currency <> p.unit AS foreign_currency,
                   fx.base AS fx_base, fx.rate,
                   concat_ws(chr(31), s.pledge, s.date::text, trim_scale(s.quantity)::text,
                             coalesce(s.currency, p.unit), coalesce(s.contributor, ''), coalesce(s.source, ''),
                             coalesce(s.note, '')) AS payload
            FROM import_staging s LEFT JOIN pledge p ON p.public_id = s.pledge
            LEFT JOIN LATERAL (
                SELECT f.base, f.rate FROM fx_rate f
                WHERE s.currency IS NOT NULL AND f.rate_on = s.date
                  AND ((f.base = s.currency AND f.quote = p.unit) OR (f.base = p.unit AND f.quote = s.currency))
                ORDER BY f.base = s.currency DESC LIMIT 1
            ) fx ON s.currency IS NOT NULL AND s.currency <> p.unit
            ) r
            """)
        return try tx.query(
            """
            SELECT line, reason FROM (
              SELECT v.line, CASE
                WHEN v.pledge IS NULL THEN 'pledge: missing'
                WHEN v.pledge_id IS NULL THEN format('pledge: no pledge %s', quote_literal(left(v.pledge, 80)))
                WHEN v.status = 'withdrawn' THEN format('pledge: %s is withdrawn', v.pledge)
                WHEN v.day IS NULL THEN 'date: missing'
                WHEN v.day < v.counts_from THEN format('date: %s is before %s, when deliveries to %s start counting', v.day, v.counts_from, v.pledge)
                WHEN v.day > \(today) THEN format('date: %s is later than today (%s)', v.day, \(today))
                WHEN v.amount IS NULL THEN 'quantity: missing'
                WHEN v.amount <= 0 THEN format('quantity: %s must be greater than zero', v.amount)
                WHEN v.currency IS NOT NULL AND v.currency !~ '^[A-Z]{3}$' THEN format('currency: %s is not an ISO 4217 code such as EUR', quote_literal(left(v.currency, 40)))
                WHEN v.foreign_currency AND v.unit !~ '^[A-Z]{3}$' THEN format('currency: pledge %s is counted in %s, not money', v.pledge, v.unit)
                WHEN scale(v.amount) > CASE WHEN v.foreign_currency THEN 2 ELSE v.unit_scale END
                     THEN format('quantity: %s has more decimal places than %s allows (%s)', v.amount,
                                 coalesce(v.currency, v.unit), CASE WHEN v.foreign_currency THEN 2 ELSE v.unit_scale END)
                WHEN v.foreign_currency AND v.rate IS NULL THEN format('currency: no FX rate between %s and %s on %s', v.currency, v.unit, v.day)
                WHEN v.foreign_currency AND CASE WHEN v.fx_base = v.currency THEN round(v.amount * v.rate, v.unit_scale)
                                                 ELSE round(v.amount / v.rate, v.unit_scale) END <= 0
                     THEN format('quantity: %s %s converts to 0 %s at the rate of %s', v.amount, v.currency, v.unit, v.day)
                WHEN length(v.contributor) > 200 THEN 'contributor: longer than 200 characters'
                WHEN length(v.source) > 2000 THEN 'source: longer than 2000 characters'
                WHEN length(v.note) > 2000 THEN 'note: longer than 2000 characters'
                WHEN length(v.idempotency_key) > 200 THEN 'idempotency_key: longer than 200 characters'
                WHEN k.idempotency_key IS NOT NULL
                     THEN format('idempotency_key: %s is used by other rows of this file with different values', quote_literal(v.idempotency_key))
                WHEN v.idempotency_key IS NOT NULL
                     AND EXISTS (SELECT 1 FROM delivery d WHERE d.idempotency_key = v.idempotency_key
                                 AND d.payload_hash IS DISTINCT FROM v.payload_hash)
                     THEN format('idempotency_key: %s was already used for a different ledger entry', quote_literal(v.idempotency_key))
              END AS reason
              FROM import_rows v
              LEFT JOIN (
                  SELECT idempotency_key FROM import_rows WHERE idempotency_key IS NOT NULL
                  GROUP BY idempotency_key HAVING min(payload_hash) <> max(payload_hash)
              ) k ON k.idempotency_key = v.idempotency_key
            ) checked
            WHERE reason IS NOT NULL
            ORDER BY line
            """
        ).map { row in
            let (line, reason) = try row.decode((Int, String).self)
            return RowProblem(line: line, reason: reason)
        }
    }
}
