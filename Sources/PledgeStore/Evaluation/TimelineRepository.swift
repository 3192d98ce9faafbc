import Foundation
import PledgeCore
import Postgres

/// Per-pledge daily net changes, aggregated in SQL: no delivery row travels to Swift.
public struct TimelineRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// The timelines of the given pledges as they stood on `asOf`, keyed by public id.
    public func timelines(for pledges: [Pledge], asOf: CalendarDate) throws -> [String: Timeline] {
        let batch = try fetch(for: pledges, asOf: asOf)
        var result: [String: Timeline] = [:]
        for pledge in pledges { result[pledge.publicID] = try batch.timeline(for: pledge) }
        return result
    }

    /// The same, unparsed: one row per pledge, its days and their net changes as two arrays. Reading
    /// them is one row per pledge instead of one per day; parsing them is left to the caller's cores.
    public func fetch(for pledges: [Pledge], asOf: CalendarDate) throws -> TimelineBatch {
        guard !pledges.isEmpty else { return TimelineBatch(arrays: [:], asOf: asOf) }
        let ids = pledges.map(\.publicID).joined(separator: ",")
        var arrays: [String: TimelineBatch.Arrays] = [:]
        // One index range scan per pledge (LATERAL), whatever the planner's statistics say: a plain join
        // may be planned as a scan of the whole ledger per batch when the statistics are stale (after a
        // bulk import, before autovacuum has analysed it). Both arrays aggregate the same rows in the same
        // order, so their elements pair up.
        for row in try connection.query(
            """
            SELECT p.public_id, d.days::text, d.changes::text
            FROM pledge p
            CROSS JOIN LATERAL (
                SELECT array_agg(g.day) AS days, array_agg(g.change) AS changes
                FROM (
                    SELECT delivered_on AS day, sum(quantity) AS change FROM delivery
                    WHERE pledge_id = p.id AND delivered_on <= \(asOf)
                    GROUP BY delivered_on
                ) g
            ) d
            WHERE p.public_id = ANY (string_to_array(\(ids), ','))
            """)
        {
            let (id, days, changes) = try row.decode((String, String?, String?).self)
            if let days, let changes { arrays[id] = TimelineBatch.Arrays(days: days, changes: changes) }
        }
        return TimelineBatch(arrays: arrays, asOf: asOf)
    }
}

/// A batch of timelines as the server sent them, turned into `Timeline`s one pledge at a time — on any
/// thread: evaluate and export parse them on the cores that assess and encode, not on the connection's.
public struct TimelineBatch: Sendable {
    struct Arrays: Sendable {
        /// `{2023-03-20,2023-11-14}`: the days with ledger activity.
        let days: String
        /// `{300000,-12.5}`: each day's net change, in the same order.
        let changes: String
    }

    let arrays: [String: Arrays]
    public let asOf: CalendarDate

    /// The pledge's timeline (anchored at its counting start; empty when nothing was delivered).
    public func timeline(for pledge: Pledge) throws -> Timeline {
        guard let arrays = arrays[pledge.publicID] else {
            return Timeline(countsFrom: pledge.countsFrom, asOf: asOf, dailyChanges: [])
        }
        let days = Self.elements(arrays.days)
        let changes = Self.elements(arrays.changes)
        guard days.count == changes.count else {
            throw PostgresError(
                code: .decoding, message: "the timeline of \(pledge.publicID) has \(days.count) days but \(changes.count) changes")
        }
        var daily: [(date: CalendarDate, change: Decimal)] = []
        daily.reserveCapacity(days.count)
        for (day, change) in zip(days, changes) {
            guard let date = CalendarDate(iso: String(day)) else {
                throw PostgresError(code: .decoding, message: "the timeline of \(pledge.publicID) has the day \"\(day)\", expected YYYY-MM-DD")
            }
            guard let amount = Decimal(postgresText: String(change)) else {
                throw PostgresError(code: .decoding, message: "the timeline of \(pledge.publicID) has the change \"\(change)\", expected a number")
            }
            daily.append((date, amount))
        }
        return Timeline(countsFrom: pledge.countsFrom, asOf: asOf, dailyChanges: daily)
    }

    /// The elements of a one-dimensional array of dates or numbers in text form (neither ever quoted).
    static func elements(_ text: String) -> [Substring] {
        text.dropFirst().dropLast().split(separator: ",")
    }
}
