import Foundation
import PledgeCore
import Postgres

/// Per-pledge ledger entries (date and signed quantity), one row per pledge: no delivery row travels to
/// Swift on its own.
public struct TimelineRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// The timelines of the given pledges as they stood on `asOf`, keyed by public id.
    public func timelines(for pledges: [Pledge], asOf: CalendarDate) throws -> [String: Timeline] {
        try fetch(for: pledges, asOf: asOf).timelines(for: pledges)
    }

    /// The same, unparsed: one row per pledge, its entries' days and quantities as two arrays. Reading
    /// them is one row per pledge instead of one per day; parsing them is left to the caller's cores.
    public func fetch(for pledges: [Pledge], asOf: CalendarDate) throws -> TimelineBatch {
        guard !pledges.isEmpty else { return TimelineBatch(arrays: [:], asOf: asOf) }
        return try Self.batch(from: connection.query(Self.query(for: pledges, asOf: asOf)), asOf: asOf)
    }

    // One index range scan per pledge (LATERAL), whatever the planner's statistics say: a plain join may be
    // planned as a scan of the whole ledger per batch when the statistics are stale (after a bulk import,
    // before autovacuum has analysed it). Both arrays aggregate the same rows in the same order, so their
    // elements pair up whatever that order (the subquery's ORDER BY follows the index, but PostgreSQL does not
    // promise it reaches the aggregate: `Timeline` sorts by date itself). Days travel as day numbers (since
    // 1970-01-01, as `CalendarDate` counts them): the server writes an integer faster than a date (all
    // 10,000 medium timelines: 220 → 192 ms), and the client reads it faster. The entries travel as they
    // are, and `Timeline` sums a day's entries on the client: summing them per day in SQL (GROUP BY,
    // numeric addition) doubled the server's time for the query (medium ledger, all 10,000 timelines:
    // 419 ms → 211 ms without it), for 10 % fewer elements.
    private static func query(for pledges: [Pledge], asOf: CalendarDate) -> PostgresQuery {
        """
        SELECT p.public_id, d.days::text, d.changes::text
        FROM pledge p
        CROSS JOIN LATERAL (\(arrays(asOf: asOf))) d
        WHERE p.public_id = ANY (string_to_array(\(pledges.map(\.publicID).joined(separator: ",")), ','))
        """
    }

    /// The subquery giving the `days` and `changes` arrays of the pledge `p` (one row, both NULL when it has
    /// no entries), for a `CROSS JOIN LATERAL` in any statement that reads timelines. With `only`, just for
    /// the pledges whose public ids it lists (comma-separated): for the others, both NULL without reading
    /// the ledger (the condition is on `p` alone, so the server checks it before the scan: a one-time
    /// filter).
    static func arrays(asOf: CalendarDate, only: String? = nil) -> PostgresFragment {
        let condition: PostgresFragment = only.map { "AND p.public_id = ANY (string_to_array(\($0), ','))" } ?? ""
        return """
            SELECT array_agg(e.delivered_on - DATE '1970-01-01') AS days, array_agg(e.quantity) AS changes
            FROM (
                SELECT delivered_on, quantity FROM delivery
                WHERE pledge_id = p.id AND delivered_on <= \(asOf) \(condition)
                ORDER BY delivered_on
            ) e
            """
    }

    /// Every pledge's ledger revision (migration 0010), by public id; a pledge without entries has none
    /// (revision 0). Read apart from the timelines, once: joined into each batch's statement it cost the
    /// medium evaluation 100 ms of server time (a hash of the whole table per batch, and the timelines'
    /// arrays memoized). Read before the timelines, or from the same snapshot, a revision is never newer
    /// than the timeline assessed with it: at worst an export reads a timeline it did not need to.
    public func ledgerRevisions() throws -> [String: Int64] {
        var revisions: [String: Int64] = [:]
        for row in try connection.query("SELECT p.public_id, r.revision FROM ledger_revision r JOIN pledge p ON p.id = r.pledge_id") {
            let (id, revision) = try row.decode((String, Int64).self)
            revisions[id] = revision
        }
        return revisions
    }

    /// The arrays of one row read by a statement that selected them as text, for `TimelineBatch(arrays:)`.
    static func arrays(days: String?, changes: String?) -> TimelineBatch.Arrays? {
        guard let days, let changes else { return nil }
        return TimelineBatch.Arrays(days: days, changes: changes)
    }

    private static func batch(from rows: PostgresRows, asOf: CalendarDate) throws -> TimelineBatch {
        var arrays: [String: TimelineBatch.Arrays] = [:]
        for row in rows {
            let (id, days, changes) = try row.decode((String, String?, String?).self)
            arrays[id] = Self.arrays(days: days, changes: changes)
        }
        return TimelineBatch(arrays: arrays, asOf: asOf)
    }
}

/// A batch of timelines as the server sent them, turned into `Timeline`s one pledge at a time, on any
/// thread: evaluate parses them on the cores that assess, not on the connection's.
public struct TimelineBatch: Sendable {
    struct Arrays: Sendable {
        /// `{19436,19675,19675}`: the entries' days as days since 1970-01-01 (2023-03-20, 2023-11-14,
        /// 2023-11-14), in order (a day may repeat).
        let days: String
        /// `{300000,-12.5,2}`: each entry's signed quantity, in the same order; `Timeline` sums a day's.
        let changes: String
    }

    let arrays: [String: Arrays]
    public let asOf: CalendarDate

    /// The pledges' timelines, keyed by public id.
    public func timelines(for pledges: [Pledge]) throws -> [String: Timeline] {
        var result: [String: Timeline] = [:]
        for pledge in pledges { result[pledge.publicID] = try timeline(for: pledge) }
        return result
    }

    /// The pledge's timeline (anchored at its counting start; empty when nothing was delivered).
    public func timeline(for pledge: Pledge) throws -> Timeline {
        try Self.timeline(of: arrays[pledge.publicID], for: pledge, asOf: asOf)
    }

    /// The timeline the arrays read for `pledge` give (none: nothing delivered).
    static func timeline(of arrays: Arrays?, for pledge: Pledge, asOf: CalendarDate) throws -> Timeline {
        guard let arrays else {
            return Timeline(countsFrom: pledge.countsFrom, asOf: asOf, changes: [])
        }
        func invalid(_ what: String, _ element: UnsafeBufferPointer<UInt8>) -> PostgresError {
            PostgresError(
                code: .decoding,
                message: "the timeline of \(pledge.publicID) has the \(what) \"\(String(decoding: element, as: UTF8.self))\"")
        }
        var days: [CalendarDate] = []
        try Self.forEachElement(of: arrays.days) { element in
            // A whole number of at most ten digits (any date PostgreSQL holds): plain numeric text without a
            // fraction.
            guard let (number, fraction, negative) = Decimal.plainParts(utf8: element), fraction == 0,
                number < 10_000_000_000
            else {
                throw invalid("day", element)
            }
            days.append(CalendarDate(daysSinceEpoch: negative ? -Int(number) : Int(number)))
        }
        /// The changes paired with the days, each read by `read`; nil when `read` gives up on one.
        func changes<Change>(_ read: (UnsafeBufferPointer<UInt8>) throws -> Change?) throws -> [(date: CalendarDate, change: Change)]? {
            var pairs: [(date: CalendarDate, change: Change)] = []
            pairs.reserveCapacity(days.count)
            var gaveUp = false
            try Self.forEachElement(of: arrays.changes) { element in
                guard !gaveUp else { return }
                guard pairs.count < days.count else { throw invalid("change", element) }
                guard let change = try read(element) else {
                    gaveUp = true
                    return
                }
                pairs.append((days[pairs.count], change))
            }
            if gaveUp { return nil }
            guard pairs.count == days.count else {
                throw PostgresError(
                    code: .decoding, message: "the timeline of \(pledge.publicID) has \(days.count) days but \(pairs.count) changes")
            }
            return pairs
        }
        // Plain numeric text (all of it, in practice) is read as fixed point and summed as integers;
        // anything else goes through `Decimal`.
        if let fixed = try changes(FixedDecimal.init(postgresUTF8:)) {
            return Timeline(countsFrom: pledge.countsFrom, asOf: asOf, fixedChanges: fixed)
        }
        let general = try changes { element -> Decimal? in
            guard let change = Decimal(postgresUTF8: element) else { throw invalid("change", element) }
            return change
        }
        return Timeline(countsFrom: pledge.countsFrom, asOf: asOf, changes: general ?? [])
    }

    /// Hands over each element of a one-dimensional array of dates or numbers in text form, `{a,b,c}`
    /// (neither is ever quoted), as its UTF-8 bytes.
    static func forEachElement(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var text = text
        try text.withUTF8 { bytes in
            guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
                throw PostgresError(code: .decoding, message: "expected an array's text, got \"\(String(decoding: bytes, as: UTF8.self))\"")
            }
            var start = 1
            for index in 1..<bytes.count where bytes[index] == UInt8(ascii: ",") || index == bytes.count - 1 {
                if index > start || bytes[index] == UInt8(ascii: ",") {
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                }
                start = index + 1
            }
        }
    }
}

extension FixedDecimal {
    /// Plain numeric text (an optional minus, at most 18 digits, an optional point) as fixed point; nil
    /// for anything else (an exponent, more digits, `NaN`).
    init?(postgresUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let (mantissa, fraction, negative) = Decimal.plainParts(utf8: bytes) else { return nil }
        self.init(units: negative ? -Int64(mantissa) : Int64(mantissa), scale: fraction)
    }
}
