import Foundation
import PledgeCore
import Postgres

/// Per-pledge daily net changes, aggregated in SQL: no delivery row travels to Swift.
public struct TimelineRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// The timelines of the given pledges as they stood on `asOf`, keyed by public id.
    public func timelines(for pledges: [Pledge], asOf: CalendarDate) throws -> [String: Timeline] {
        guard !pledges.isEmpty else { return [:] }
        let ids = pledges.map(\.publicID).joined(separator: ",")
        var changes: [String: [(date: CalendarDate, change: Decimal)]] = [:]
        // One index range scan per pledge (LATERAL), whatever the planner's statistics say: a plain join
        // may be planned as a scan of the whole ledger per batch when the statistics are stale (after a
        // bulk import, before autovacuum has analysed it).
        for row in try connection.query(
            """
            SELECT p.public_id, d.day, d.change
            FROM pledge p
            CROSS JOIN LATERAL (
                SELECT delivered_on AS day, sum(quantity) AS change FROM delivery
                WHERE pledge_id = p.id AND delivered_on <= \(asOf)
                GROUP BY delivered_on
            ) d
            WHERE p.public_id = ANY (string_to_array(\(ids), ','))
            ORDER BY p.public_id, d.day
            """)
        {
            let (id, date, change) = try row.decode((String, CalendarDate, Decimal).self)
            changes[id, default: []].append((date, change))
        }
        var result: [String: Timeline] = [:]
        for pledge in pledges {
            result[pledge.publicID] = Timeline(countsFrom: pledge.countsFrom, asOf: asOf, dailyChanges: changes[pledge.publicID] ?? [])
        }
        return result
    }
}
