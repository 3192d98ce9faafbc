import Foundation
import PledgeCore
import Postgres

/// Everything `pledgewatch serve` can be told, from flags or `PLEDGEWATCH_*` environment variables.
public struct ServeConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var database: ConnectionConfiguration = .resolve()
    /// Scheduled evaluations happen this often (and a follower checks for a vacant leadership this often).
    public var interval: Duration = .seconds(15 * 60)
    /// A ledger change triggers an evaluation after this quiet period (changes in a burst are merged).
    public var debounce: Duration = .seconds(2)
    /// How often replicas check whether the stored state changed (NOTIFY usually wakes them sooner).
    public var refreshCheck: Duration = .seconds(5)
    /// When set, every route but /healthz needs `Authorization: Bearer <token>`.
    public var token: String?
    public var webhookURL: String?
    public var reportingCurrency = "EUR"
    public var policy = AssessmentPolicy()
    public var poolSize = 4

    public init() {}

    /// `host:port`, `:port` or `port`.
    public mutating func setListen(_ text: String) throws(InputError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let hostPart = parts.count == 2 ? String(parts[0]) : (parts.count == 1 && Int(text) == nil ? text : "")
        let portPart = parts.count == 2 ? String(parts[1]) : (Int(text) != nil ? text : "")
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw .invalid(field: "listen", value: text, expected: "HOST:PORT such as 127.0.0.1:8080 (port 0: any free port)")
        }
        if !hostPart.isEmpty { host = hostPart }
        self.port = port
    }

    /// Reads a bearer token from a file (surrounding whitespace ignored).
    public mutating func setTokenFile(_ path: String) throws(InputError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .notFound(what: "readable token file", id: path)
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else {
            throw .invalid(field: "token-file", value: path, expected: "a file holding a token of at least 16 characters")
        }
        self.token = token
    }
}
