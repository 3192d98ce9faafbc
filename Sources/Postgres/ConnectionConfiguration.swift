import CLibPQ
import Foundation

/// Where to connect: a libpq conninfo string (`host=… port=… dbname=…`) or a `postgres://` URL.
///
/// Resolution order: an explicit string, then `DATABASE_URL`, then libpq's own defaults, which honour
/// `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` and the rest.
public struct ConnectionConfiguration: Sendable, CustomStringConvertible {
    /// What libpq receives, unchanged.
    public let conninfo: String

    public init(_ conninfo: String) {
        self.conninfo = conninfo
    }

    /// `explicit` when given, else `DATABASE_URL`, else the empty conninfo (libpq's `PG*` defaults).
    public static func resolve(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConnectionConfiguration {
        if let explicit, !explicit.isEmpty { return ConnectionConfiguration(explicit) }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return ConnectionConfiguration(url) }
        return ConnectionConfiguration("")
    }

    /// Why libpq cannot read the conninfo or URL (its own words), or nil when it can.
    public var parseError: String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &errorMessage) {
            PQconninfoFree(options)
            return nil
        }
        defer { if let errorMessage { PQfreemem(errorMessage) } }
        return errorMessage.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "unreadable"
    }

    /// The connection's target as libpq resolves it (defaults included), without the password.
    public var target: Target {
        var values: [String: String] = [:]
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &errorMessage) {
            var cursor = options
            while let keyword = cursor.pointee.keyword {
                if let value = cursor.pointee.val { values[String(cString: keyword)] = String(cString: value) }
                cursor += 1
            }
            PQconninfoFree(options)
        }
        if let errorMessage { PQfreemem(errorMessage) }
        let environment = ProcessInfo.processInfo.environment
        func pick(_ keyword: String, _ variable: String, _ fallback: String) -> String {
            values[keyword].flatMap { $0.isEmpty ? nil : $0 } ?? environment[variable] ?? fallback
        }
        let user = pick("user", "PGUSER", NSUserName())
        return Target(
            host: pick("host", "PGHOST", "local socket"),
            port: pick("port", "PGPORT", "5432"),
            database: pick("dbname", "PGDATABASE", user),
            user: user,
            password: values["password"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGPASSWORD"]
        )
    }

    /// The conninfo with any password replaced by `***`.
    public var redacted: String { Self.redact(conninfo, password: target.password) }

    public var description: String { target.description }

    /// `text` with every occurrence of `password` (and a URL's `user:password@`) masked.
    static func redact(_ text: String, password: String?) -> String {
        var result = text
        if let password, !password.isEmpty {
            result = result.replacingOccurrences(of: password, with: "***")
            if let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                result = result.replacingOccurrences(of: encoded, with: "***")
            }
        }
        return result
    }

    /// Host, port, database and user: enough to say where a failure happened.
    public struct Target: Sendable, CustomStringConvertible {
        public let host: String
        public let port: String
        public let database: String
        public let user: String
        let password: String?
        public var description: String { "host \(host) port \(port) database \(database) user \(user)" }
    }
}

extension ConnectionConfiguration {
    /// The same settings pointed at another database, as a key/value conninfo with quoted values.
    public func with(database: String) -> ConnectionConfiguration {
        var values: [(String, String)] = []
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &errorMessage) {
            var cursor = options
            while let keyword = cursor.pointee.keyword {
                if let value = cursor.pointee.val, String(cString: keyword) != "dbname" {
                    values.append((String(cString: keyword), String(cString: value)))
                }
                cursor += 1
            }
            PQconninfoFree(options)
        }
        if let errorMessage { PQfreemem(errorMessage) }
        values.append(("dbname", database))
        func quote(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return ConnectionConfiguration(values.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " "))
    }
}
