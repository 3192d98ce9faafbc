import Foundation
import PledgeCore
import Postgres

/// Silences: an alert that matches one is recorded but not notified.
public struct SilenceRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public struct Silence: Sendable, Equatable, Codable {
        public let id: Int
        public let pledgeID: String
        public let rule: String?
        public let until: CalendarDate
        public let reason: String
        public let createdBy: String
        public let expired: Bool
    }

    /// Adds a silence for a pledge (all rules, or one) until the end of `until`.
    public func add(pledgeID: String, rule: AlertRule?, until: CalendarDate, reason: String, by actor: String) throws -> Int {
        guard let row = try connection.query(
            """
            INSERT INTO silence (pledge_id, rule, until, reason, created_by)
            SELECT id, \(rule?.rawValue), \(until), \(reason), \(actor) FROM pledge WHERE public_id = \(pledgeID)
            RETURNING id
            """
        ).first else { throw InputError.notFound(what: "pledge", id: pledgeID) }
        return try row.decode(Int.self, at: 0)
    }

    /// Silences, newest first; expired ones (by date or by hand) only when asked.
    public func list(includeExpired: Bool = false, today: CalendarDate) throws -> [Silence] {
        try connection.query(
            """
            SELECT s.id, p.public_id, s.rule, s.until, s.reason, s.created_by,
                   s.expired_at IS NOT NULL OR s.until < \(today)
            FROM silence s JOIN pledge p ON p.id = s.pledge_id
            WHERE \(includeExpired) OR (s.expired_at IS NULL AND s.until >= \(today))
            ORDER BY s.id DESC
            """
        ).map { row in
            let v = try row.decode((Int, String, String?, CalendarDate, String, String, Bool).self)
            return Silence(id: v.0, pledgeID: v.1, rule: v.2, until: v.3, reason: v.4, createdBy: v.5, expired: v.6)
        }
    }

    /// Ends a silence now.
    public func expire(id: Int) throws {
        guard try connection.execute("UPDATE silence SET expired_at = now() WHERE id = \(id) AND expired_at IS NULL") == 1 else {
            throw InputError.notFound(what: "active silence", id: "#\(id)")
        }
    }

    /// Every silence in force on `day`: pledge → silenced rules (nil: all rules), in one query.
    public func activeCoverage(on day: CalendarDate) throws -> [String: [String?]] {
        try activeSilences(on: day).mapValues { $0.map(\.rule) }
    }

    /// Every silence in force on `day`, by pledge, oldest first: its id and rule (nil: all rules).
    public func activeSilences(on day: CalendarDate) throws -> [String: [(id: Int, rule: String?)]] {
        var silences: [String: [(id: Int, rule: String?)]] = [:]
        for row in try connection.query(
            """
            SELECT p.public_id, s.id, s.rule FROM silence s JOIN pledge p ON p.id = s.pledge_id
            WHERE s.expired_at IS NULL AND s.until >= \(day)
            ORDER BY s.id
            """)
        {
            let (pledge, id, rule) = try row.decode((String, Int, String?).self)
            silences[pledge, default: []].append((id, rule))
        }
        return silences
    }
}
