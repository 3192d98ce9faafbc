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
        for row in try connection.query(
            """
            SELECT p.public_id, d.delivered_on, sum(d.quantity)
            FROM delivery d JOIN pledge p ON p.id = d.pledge_id
            WHERE p.public_id = ANY (string_to_array(\(ids), ',')) AND d.delivered_on <= \(asOf)
            GROUP BY p.public_id, d.delivered_on
            ORDER BY p.public_id, d.delivered_on
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
