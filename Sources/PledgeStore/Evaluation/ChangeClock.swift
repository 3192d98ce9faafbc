import Foundation
import Postgres

/// When the stored state last changed: the ledger, pledges, terms or alerts.
public struct ChangeClock {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// The latest change time, or nil for an empty database.
    public func latestChange() throws -> Date? {
        try connection.query(
            """
            SELECT greatest((SELECT max(recorded_at) FROM delivery), (SELECT max(created_at) FROM pledge),
                            (SELECT max(recorded_at) FROM pledge_terms), (SELECT max(changed_at) FROM pledge_status_change),
                            (SELECT max(updated_at) FROM alert))
            """
        ).scalar(Date?.self)
    }

    /// A cheap fingerprint of everything a dashboard shows; it changes whenever the dashboard would.
    public func version() throws -> String {
        try connection.query(
            """
            SELECT concat_ws('/', (SELECT max(id) FROM assessment), (SELECT max(id) FROM delivery),
                             (SELECT max(id) FROM pledge_status_change), (SELECT count(*) FROM pledge_terms),
                             (SELECT max(id) FROM alert_event), (SELECT max(updated_at) FROM alert),
                             (SELECT max(id) FROM silence), (SELECT count(*) FROM silence WHERE expired_at IS NOT NULL),
                             (SELECT max(recorded_at) FROM fx_rate))
            """
        ).scalar(String.self)
    }
}
