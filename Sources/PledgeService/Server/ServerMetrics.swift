import Foundation
import PledgeCore
import Synchronization

/// Prometheus metrics of the daemon, rendered in the text exposition format.
public final class ServerMetrics: Sendable {
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct RequestKey: Hashable, Comparable {
        let route: String
        let status: Int

        static func < (a: Self, b: Self) -> Bool { (a.route, a.status) < (b.route, b.status) }
        var labels: String { "route=\"\(route)\",status=\"\(status)\"" }
    }

    private struct Latency {
        var counts = Array(repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ seconds: Double) {
            for (index, bound) in ServerMetrics.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            sum += seconds
            count += 1
        }
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Latency] = [:]
        var evaluationSeconds: Double?
        var lastSuccess: Date?
        var evaluationFailures = 0
        var evaluationsBusy = 0
        var leader = false
        var databaseUp = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Called for every request (the dashboard's fast path included): counts in place, no text built.
    public func observeRequest(route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, status: status), default: 0] += 1
            state.latency[route, default: Latency()].observe(seconds)
        }
    }

    public func evaluationSucceeded(seconds: Double, at date: Date) {
        state.withLock {
            $0.evaluationSeconds = seconds
            $0.lastSuccess = date
        }
    }

    public func evaluationFailed() { state.withLock { $0.evaluationFailures += 1 } }
    /// An evaluation found another one (a cron `evaluate`) holding the evaluation lock.
    public func evaluationBusy() { state.withLock { $0.evaluationsBusy += 1 } }
    public func setLeader(_ leader: Bool) { state.withLock { $0.leader = leader } }
    public var isLeader: Bool { state.withLock { $0.leader } }
    public func setDatabaseUp(_ up: Bool) { state.withLock { $0.databaseUp = up } }

    /// The exposition text; pledge gauges come from the current dashboard snapshot.
    public func render(document: DashboardDocument?) -> String {
        let s = state.withLock { $0 }
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in samples { lines.append(labels.isEmpty ? "\(name) \(value)" : "\(name){\(labels)} \(value)") }
        }
        if let document {
            metric(
                "pledgewatch_pledges", "gauge", "Pledges by assessed status.",
                document.summary.byStatus.sorted { $0.key < $1.key }.map { ("status=\"\($0.key)\"", "\($0.value)") })
            metric(
                "pledgewatch_probability_on_time", "gauge", "P(target met by the deadline) per pledge.",
                document.pledges.compactMap { entry in
                    // The daemon's document holds parsed summaries (`DashboardService.document`).
                    (try? entry.assessment.summary())?.probabilityOnTime.map { ("pledge=\"\(Self.escape(entry.id))\"", "\($0)") }
                })
            metric("pledgewatch_alerts_firing", "gauge", "Firing alerts.", [("", "\(document.summary.firingAlerts)")])
        }
        metric("pledgewatch_evaluation_duration_seconds", "gauge", "Duration of the last successful evaluation.", s.evaluationSeconds.map { [("", "\($0)")] } ?? [])
        metric(
            "pledgewatch_last_successful_evaluation_timestamp_seconds", "gauge", "Unix time of the last successful evaluation by this process.",
            s.lastSuccess.map { [("", "\(Int($0.timeIntervalSince1970))")] } ?? [])
        metric("pledgewatch_evaluation_failures_total", "counter", "Evaluations that failed.", [("", "\(s.evaluationFailures)")])
        metric(
            "pledgewatch_evaluations_busy_total", "counter", "Evaluations put off because another one (a cron evaluate) held the lock.",
            [("", "\(s.evaluationsBusy)")])
        metric("pledgewatch_leader", "gauge", "1 when this replica runs the scheduled evaluations.", [("", s.leader ? "1" : "0")])
        metric("pledgewatch_database_up", "gauge", "1 when the database answered the last check.", [("", s.databaseUp ? "1" : "0")])
        metric("pledgewatch_http_requests_total", "counter", "HTTP requests by route and status.", s.requests.sorted { $0.key < $1.key }.map { ($0.key.labels, "\($0.value)") })
        lines.append("# HELP pledgewatch_http_request_duration_seconds HTTP request latency by route.")
        lines.append("# TYPE pledgewatch_http_request_duration_seconds histogram")
        for (route, entry) in s.latency.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("pledgewatch_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(entry.counts[index])")
            }
            lines.append("pledgewatch_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(entry.count)")
            lines.append("pledgewatch_http_request_duration_seconds_sum{route=\"\(route)\"} \(entry.sum)")
            lines.append("pledgewatch_http_request_duration_seconds_count{route=\"\(route)\"} \(entry.count)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

