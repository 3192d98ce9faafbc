import Foundation
import Logging
import PledgeCore
import Postgres

/// The fast path of an import: the client checks and finishes every row (`DirectImportRows`) while the
/// database stores the rows before it, through one COPY straight into the ledger — no staging table, no
/// second pass in SQL. The ledger's own constraints still hold every row, and the unique key still refuses
/// a row that is already there: then, as when a row needs the database's checks, the attempt is rolled
/// back and the import goes through staging (`nil` here), which skips present rows and reports problems.
extension DeliveryImport {
    /// A row the client cannot vouch for: the import goes through staging instead.
    private struct Declined: Error { let why: String }

    /// Rows sorted together before they are sent.
    static let sortedChunk = 65_536

    func direct(by actor: String, today: CalendarDate, _ produce: Producer) throws -> Summary? {
        do {
            return try connection.withTransaction { tx in
                let floor = try begin(tx)
                var rows = DirectImportRows(pledges: try pledges(tx), today: today, actor: actor)
                let added = try Self.withPointLookups(tx) {
                    try tx.copyIn(
                        """
                        COPY delivery (pledge_id, kind, delivered_on, quantity, source, note, recorded_by, idempotency_key,
                                       payload_hash)
                        FROM STDIN
                        """
                    ) { writer in
                        // Rows go out sorted by pledge and date, a chunk at a time: the ledger's indexes then take
                        // them in runs rather than at random (a 1,000,000-row load measured 10.1 s so against
                        // 11.7–12.7 s in file order). One chunk is sent while the next is read, in step, so the
                        // server stores while the client reads, as with unsorted rows; memory holds two chunks.
                        var chunks = SortedChunks(size: Self.sortedChunk)
                        let problems = try produce { line, values in
                            guard let row = rows.ledgerRow(values), let pledge = row[0].flatMap({ Int($0) }), let day = row[2] else {
                                throw Declined(why: "line \(line) needs the database's checks")
                            }
                            for ready in chunks.add(row, pledge: pledge, day: day, line: line) { try writer.write(ready) }
                        }
                        guard problems.isEmpty else { throw Declined(why: "\(problems.count) rows could not be read") }
                        for row in chunks.finish() { try writer.write(row) }
                    }
                }
                // Share-locked as the staged path locks them (see there), and checked again now that they
                // are locked: a pledge withdrawn since it was read takes no more deliveries.
                let ids = "{" + rows.pledgeIDs.sorted().map(String.init).joined(separator: ",") + "}"
                let withdrawn = try tx.query(
                    """
                    SELECT count(*) FILTER (WHERE status = 'withdrawn')
                    FROM (SELECT status FROM pledge WHERE id = ANY(\(ids)::bigint[]) ORDER BY id FOR SHARE) locked
                    """
                ).scalar(Int.self)
                guard withdrawn == 0 else { throw Declined(why: "a pledge was withdrawn meanwhile") }
                try compensate(tx, by: actor, entriesAfter: floor)
                logger.info("imported straight into the ledger", metadata: ["rows": "\(added)"])
                return Summary(rows: added, added: added, alreadyPresent: 0)
            }
        } catch let declined as Declined {
            logger.info("importing through staging", metadata: ["why": "\(declined.why)"])
            return nil
        } catch let error as PostgresError where error.sqlState.map(Self.sendsToStaging) ?? false {
            logger.info("importing through staging", metadata: ["why": "the ledger refused a row: \(error.message)"])
            return nil
        }
    }

    /// Runs `body` (the COPY) with sequential scans off, then puts the setting back as it was. Each row
    /// the COPY stores is checked against its pledge by the foreign key's trigger, a query PostgreSQL plans
    /// like any other: for a ledger of a few hundred pledges (a few pages) it picks a sequential scan of
    /// every pledge, locking the one that matches, once per row. The primary key's index finds the pledge
    /// directly: 20,000 rows for 200 pledges, `psql \copy` 219–245 ms as planned, 159–181 ms with the
    /// index; for 10,000 pledges PostgreSQL takes the index already. Nothing else is planned during the
    /// COPY, and the statements after it plan as before.
    static func withPointLookups<T>(_ tx: Connection, _ body: () throws -> T) throws -> T {
        let before = try tx.query("SELECT current_setting('enable_seqscan')").scalar(String.self)
        try tx.execute("SET LOCAL enable_seqscan = off")
        let result = try body()
        try tx.execute("SELECT set_config('enable_seqscan', \(before), true)")
        return result
    }

    /// Refusals the staged path handles or words better: bad data (class 22: a NUL byte, say), a key
    /// already in the ledger or another constraint (23), a deadlock with a concurrent import of the same
    /// rows (40).
    static func sendsToStaging(_ state: SQLState) -> Bool {
        ["22", "23", "40"].contains(state.rawValue.prefix(2))
    }

    /// Every pledge by its public id, with what the client-side check needs.
    func pledges(_ tx: Connection) throws -> [String: DirectImportRows.Pledge] {
        var pledges: [String: DirectImportRows.Pledge] = [:]
        for row in try tx.query("SELECT public_id, id, unit, unit_scale, counts_from, status = 'withdrawn' FROM pledge") {
            let (publicID, id, unit, scale, countsFrom, withdrawn) = try row.decode((String, Int, String, Int, CalendarDate, Bool).self)
            pledges[publicID] = DirectImportRows.Pledge(
                id: id, unit: try PledgeUnit.parse(unit), unitScale: scale, countsFrom: countsFrom, withdrawn: withdrawn)
        }
        return pledges
    }
}

/// Rows regrouped into chunks sorted by pledge, date and line, released as rows are added: while one chunk
/// fills, the one before it drains, in step, so that it has drained when the next is full. The first
/// chunks are small (1,024 rows, growing by a quarter up to `size`), so rows start flowing at once. They
/// grow slowly because a chunk drains at the previous one's size over the next one's: doubling, rows
/// would go out at half the pace they are read — slower than the server stores them.
struct SortedChunks {
    private typealias Pending = (pledge: Int, day: String, line: Int, row: [String?])
    private let size: Int
    private var target: Int
    private var filling: [Pending] = []
    private var draining: [[String?]] = []
    private var drained = 0

    init(size: Int) {
        self.size = size
        target = min(size, 1_024)
        filling.reserveCapacity(target)
    }

    /// Adds a row; returns the rows of the previous chunk now due.
    mutating func add(_ row: [String?], pledge: Int, day: String, line: Int) -> ArraySlice<[String?]> {
        filling.append((pledge, day, line, row))
        // The share of the previous chunk that matches the share of this one filled so far, rounded up.
        let due = (filling.count * draining.count + target - 1) / target
        let released = draining[drained..<due]
        drained = due
        if filling.count == target {
            draining = Self.sorted(filling)
            filling.removeAll(keepingCapacity: true)
            drained = 0
            target = min(size, target + target / 4)
        }
        return released
    }

    /// The rows not yet released, in order.
    mutating func finish() -> [[String?]] {
        let rest = Array(draining[drained...]) + Self.sorted(filling)
        draining = []
        filling = []
        return rest
    }

    private static func sorted(_ rows: [Pending]) -> [[String?]] {
        rows.sorted { ($0.pledge, $0.day, $0.line) < ($1.pledge, $1.day, $1.line) }.map(\.row)
    }
}
