import Foundation

/// The Alertmanager webhook v4 payload.
public struct WebhookPayload: Sendable, Codable, Equatable {
    public struct Alert: Sendable, Codable, Equatable {
        public let status: String
        public let labels: [String: String]
        public let annotations: [String: String]
        public let startsAt: String
        public let endsAt: String
        public let generatorURL: String
        public let fingerprint: String

        public init(
            status: String, labels: [String: String], annotations: [String: String], startsAt: String, endsAt: String,
            generatorURL: String, fingerprint: String
        ) {
            self.status = status
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.generatorURL = generatorURL
            self.fingerprint = fingerprint
        }
    }

    public let version: String
    public let groupKey: String
    public let truncatedAlerts: Int
    public let status: String
    public let receiver: String
    public let groupLabels: [String: String]
    public let commonLabels: [String: String]
    public let commonAnnotations: [String: String]
    public let externalURL: String
    public let alerts: [Alert]

    /// One notification for one alert (each transition is its own group, so receivers can dedupe per key).
    public init(alert: Alert, receiver: String = "pledgewatch", externalURL: String = "") {
        version = "4"
        groupKey = "{}:{pledge=\"\(alert.labels["pledge"] ?? "")\", rule=\"\(alert.labels["rule"] ?? "")\"}"
        truncatedAlerts = 0
        status = alert.status
        self.receiver = receiver
        groupLabels = ["pledge": alert.labels["pledge"] ?? "", "rule": alert.labels["rule"] ?? ""]
        commonLabels = alert.labels
        commonAnnotations = alert.annotations
        self.externalURL = externalURL
        alerts = [alert]
    }

    /// "0001-01-01T00:00:00Z": Alertmanager's endsAt while firing.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// RFC 3339 UTC, seconds precision (fractions truncated), as `ISO8601DateFormatter` writes it with
    /// `.withInternetDateTime` — computed directly: a formatter costs more to create than the whole export's
    /// arithmetic, and one is needed per alert.
    public static func timestamp(_ date: Date) -> String {
        let (day, time) = CalendarDate.split(epochSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))Z"
    }
}
