import Foundation

/// The alert rules: each fires while an assessment has its status.
public enum AlertRule: String, Sendable, Codable, CaseIterable {
    case likelyMiss = "likely_miss", missed, stalled, atRisk = "at_risk", met

    public var status: PledgeHealth {
        switch self {
        case .likelyMiss: .likelyMiss
        case .missed: .missed
        case .stalled: .stalled
        case .atRisk: .atRisk
        case .met: .met
        }
    }

    /// Alertmanager-style severity.
    public var severity: String {
        switch self {
        case .likelyMiss, .missed: "critical"
        case .stalled, .atRisk: "warning"
        case .met: "info"
        }
    }

    /// The `alertname` label.
    public var alertName: String {
        switch self {
        case .likelyMiss: "PledgeLikelyMiss"
        case .missed: "PledgeMissed"
        case .stalled: "PledgeStalled"
        case .atRisk: "PledgeAtRisk"
        case .met: "PledgeMet"
        }
    }

    public static func parse(_ text: String) throws(InputError) -> AlertRule {
        guard let rule = AlertRule(rawValue: text) else {
            throw .invalid(field: "rule", value: text, expected: "one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return rule
    }

    /// Labels identify an alert: pledge, donor, rule, severity, alertname.
    public func labels(pledgeID: String, donor: String) -> [String: String] {
        ["alertname": alertName, "pledge": pledgeID, "donor": donor, "rule": rawValue, "severity": severity]
    }

    /// Annotations carry the human text, with the figures.
    public func annotations(_ a: Assessment, title: String, unit: String) -> [String: String] {
        let probability = a.probabilityOnTime.map { Figure.fixed($0 * 100, places: 1) + " %" } ?? "n/a"
        let pace = a.paceRatio.map { Figure.fixed($0, places: 2) } ?? "n/a"
        return [
            "summary": "\(a.pledgeID): \(a.status.rawValue) — \(Self.figure(a.delivered.doubleValue)) of \(Self.figure(a.target.doubleValue)) \(unit) delivered, deadline \(a.deadline)",
            "description": "\(title). As of \(a.asOf): \(a.statusReason). Projected \(Self.figure(a.projectedTotal.p50)) \(unit) by the deadline (80 % interval \(Self.figure(a.projectedTotal.p90))–\(Self.figure(a.projectedTotal.p10))); P(on time) \(probability); pace ratio \(pace); method \(a.method), grade \(a.grade.rawValue).",
        ]
    }

    static func figure(_ value: Double) -> String { Figure.grouped(value) }

    /// A stable 64-bit FNV-1a hash of the sorted label set, as hex (Alertmanager fingerprints are 64-bit too).
    public static func fingerprint(_ labels: [String: String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        // Each key and value followed by 0xFF (no byte of UTF-8 text), so no two label sets run together.
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            for byte in key.utf8 { mix(byte) }
            mix(0xFF)
            for byte in value.utf8 { mix(byte) }
            mix(0xFF)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
