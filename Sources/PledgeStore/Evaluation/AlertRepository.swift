import Foundation
import PledgeCore
import Postgres

/// Alert state (one row per pledge × rule), alert history, and the webhook outbox.
public struct AlertRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// An alert as stored.
    public struct StoredAlert: Sendable, Equatable {
        public let fingerprint: String
        public let pledgeID: String
        public let rule: AlertRule
        public var machine: AlertStateMachine.Alert
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: Date?
        public var endsAt: Date?
        /// Whether the notifiers were told that the current episode fires (a silence may have held it back).
        public var notified: Bool

        public init(
            fingerprint: String, pledgeID: String, rule: AlertRule, machine: AlertStateMachine.Alert, labels: [String: String],
            annotations: [String: String], startsAt: Date?, endsAt: Date?, notified: Bool = false
        ) {
            self.fingerprint = fingerprint
            self.pledgeID = pledgeID
            self.rule = rule
            self.machine = machine
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.notified = notified
        }
    }

    /// Every alert that is pending or firing, or was ever active, keyed by pledge and rule.
    public func all(state: AlertStateMachine.State? = nil) throws -> [StoredAlert] {
        try connection.query(
            """
            SELECT a.fingerprint, p.public_id, a.rule, a.state, a.active_count, a.inactive_count, a.labels::text,
                   a.annotations::text, a.starts_at, a.ends_at, a.notified
            FROM alert a JOIN pledge p ON p.id = a.pledge_id
            WHERE \(state?.rawValue)::text IS NULL OR a.state = \(state?.rawValue)
            ORDER BY p.public_id, a.rule
            """
        ).map(Self.alert(row:))
    }

    /// The pending and firing alerts, ordered by pledge then rule, handed to `body` a batch at a time through
    /// a cursor (inside the caller's transaction), as the server sent them: memory stays that of one batch
    /// however many alerts are open, and decoding them (`OpenAlertRows.alerts()`) is left to the caller's
    /// other threads.
    public func forEachOpen(_ body: (OpenAlertRows) throws -> Void) throws {
        try connection.execute(
            """
            DECLARE open_alerts NO SCROLL CURSOR FOR
            SELECT a.fingerprint, p.public_id, a.rule, a.state, a.active_count, a.inactive_count, a.labels::text,
                   a.annotations::text, a.starts_at, a.ends_at, a.notified
            FROM alert a JOIN pledge p ON p.id = a.pledge_id
            WHERE a.state IN ('pending', 'firing')
            ORDER BY p.public_id COLLATE "C", a.rule COLLATE "C"
            """)
        while true {
            // FETCH takes no parameter for its count: the batch size is part of the statement's text.
            let rows = try connection.query("FETCH FORWARD 500 FROM open_alerts")
            if !rows.isEmpty { try body(OpenAlertRows(rows: rows)) }
            if rows.count < 500 { break }
        }
        try connection.execute("CLOSE open_alerts")
    }

    /// A batch of open alerts as the server sent them.
    public struct OpenAlertRows: Sendable {
        let rows: PostgresRows

        public func alerts() throws -> [StoredAlert] { try rows.map(AlertRepository.alert(row:)) }
    }

    /// Decodes the columns both alert queries select, in their order.
    static func alert(row: PostgresRow) throws -> StoredAlert {
        let (fingerprint, pledgeID, rule, state, active, inactive, labels, annotations, startsAt, endsAt, notified) = try row.decode(
            (String, String, String, String, Int, Int, String, String, Date?, Date?, Bool).self)
        return StoredAlert(
            fingerprint: fingerprint, pledgeID: pledgeID, rule: try AlertRule.parse(rule),
            machine: AlertStateMachine.Alert(
                state: AlertStateMachine.State(rawValue: state) ?? .inactive, activeCount: active, inactiveCount: inactive),
            labels: StringMapText.decode(labels), annotations: StringMapText.decode(annotations), startsAt: startsAt, endsAt: endsAt,
            notified: notified)
    }

    /// Adds alerts that are not stored yet, with COPY. `pledgeRowIDs` maps public ids to row ids
    /// (`AssessmentRepository.pledgeRowIDs()`, read once per evaluation); an alert of a pledge not in the map
    /// is not written. Only an evaluation writes alerts, under its lock, and it reads the stored ones first:
    /// an alert it did not find is not there (if it were, the unique keys refuse the COPY, and the
    /// evaluation with it). COPY's text costs the server less than a bound JSON array (10,000 new alerts:
    /// 104 ms, against 197 ms as `jsonb_to_recordset` with `ON CONFLICT`).
    public func insertAll(_ alerts: [StoredAlert], pledgeRowIDs ids: [String: Int]) throws {
        let rows = alerts.compactMap { alert in ids[alert.pledgeID].map { (alert, $0) } }
        guard !rows.isEmpty else { return }
        try connection.copyIn(
            """
            COPY alert (fingerprint, pledge_id, rule, state, labels, annotations, active_count, inactive_count, starts_at,
                        ends_at, notified)
            FROM STDIN
            """
        ) { writer in
            for (alert, id) in rows {
                try writer.write([
                    alert.fingerprint, String(id), alert.rule.rawValue, alert.machine.state.rawValue,
                    CompactJSON.text(alert.labels), CompactJSON.text(alert.annotations), String(alert.machine.activeCount),
                    String(alert.machine.inactiveCount), alert.startsAt?.postgresText, alert.endsAt?.postgresText,
                    alert.notified ? "t" : "f",
                ])
            }
        }
    }

    /// Writes stored alerts' new states in one statement (the rows travel as one bound JSON array).
    public func updateAll(_ alerts: [StoredAlert]) throws {
        guard !alerts.isEmpty else { return }
        var rows = CompactJSONRows(capacity: alerts.count * 512)
        for alert in alerts {
            rows.beginRow()
            try rows.field("fingerprint", alert.fingerprint)
            try rows.field("state", alert.machine.state.rawValue)
            try rows.field("labels", alert.labels)
            try rows.field("annotations", alert.annotations)
            rows.field("active_count", alert.machine.activeCount)
            rows.field("inactive_count", alert.machine.inactiveCount)
            try rows.field("starts_at", alert.startsAt?.postgresText)
            try rows.field("ends_at", alert.endsAt?.postgresText)
            rows.field("notified", alert.notified)
            rows.endRow()
        }
        try connection.execute(
            """
            UPDATE alert a SET
                state = r.state, labels = r.labels, annotations = r.annotations, active_count = r.active_count,
                inactive_count = r.inactive_count, starts_at = r.starts_at, ends_at = r.ends_at, notified = r.notified,
                updated_at = now()
            FROM jsonb_to_recordset(\(rows.finish())::jsonb) AS r(
                fingerprint text, state text, labels jsonb, annotations jsonb, active_count int, inactive_count int,
                starts_at timestamptz, ends_at timestamptz, notified boolean)
            WHERE a.fingerprint = r.fingerprint
            """)
    }

    /// One transition of an alert's state, as its history keeps it.
    public struct Transition: Sendable {
        public let alert: StoredAlert
        public let from: AlertStateMachine.State
        public let notification: AlertStateMachine.Notification?
        public let silencedBy: Int?

        public init(alert: StoredAlert, from: AlertStateMachine.State, notification: AlertStateMachine.Notification?, silencedBy: Int?) {
            self.alert = alert
            self.from = from
            self.notification = notification
            self.silencedBy = silencedBy
        }
    }

    /// Appends transitions to the alerts' history in one statement, in the given order.
    public func recordTransitions(_ transitions: [Transition], runID: UUID, asOf: CalendarDate) throws {
        guard !transitions.isEmpty else { return }
        let (run, day) = (runID.uuidString.lowercased(), asOf.description)
        // Straight into the history with COPY, in order (ids follow it).
        try connection.copyIn(
            "COPY alert_event (fingerprint, run_id, as_of, from_state, to_state, notification, silenced_by, annotations) FROM STDIN"
        ) { writer in
            for transition in transitions {
                try writer.write([
                    transition.alert.fingerprint, run, day, transition.from.rawValue, transition.alert.machine.state.rawValue,
                    transition.notification?.rawValue, transition.silencedBy.map { String($0) },
                    CompactJSON.text(transition.alert.annotations),
                ])
            }
        }
    }

    /// Queues a webhook notification in the current transaction; a repeated key adds nothing.
    public func enqueue(idempotencyKey: String, url: String, payload: String) throws {
        try connection.execute(
            """
            INSERT INTO outbox (idempotency_key, url, payload) VALUES (\(idempotencyKey), \(url), \(payload)::jsonb)
            ON CONFLICT (idempotency_key) DO NOTHING
            """)
    }

    /// Announces a transition to `LISTEN pledgewatch_alerts` listeners (delivered at commit).
    public func announce(_ payload: String) throws {
        try connection.notify("pledgewatch_alerts", payload: payload)
    }

    /// One alert's history, oldest first.
    public func history(pledgeID: String) throws -> [(rule: String, from: String, to: String, notification: String?, asOf: CalendarDate, at: Date, silenced: Bool)] {
        try connection.query(
            """
            SELECT a.rule, e.from_state, e.to_state, e.notification, e.as_of, e.at, e.silenced_by IS NOT NULL
            FROM alert_event e JOIN alert a ON a.fingerprint = e.fingerprint JOIN pledge p ON p.id = a.pledge_id
            WHERE p.public_id = \(pledgeID) ORDER BY e.id
            """
        ).map { row in
            let v = try row.decode((String, String, String, String?, CalendarDate, Date, Bool).self)
            return (v.0, v.1, v.2, v.3, v.4, v.5, v.6)
        }
    }
}
