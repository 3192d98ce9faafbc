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

    /// `text` with every occurrence of `password` (as given, or percent-encoded) masked.
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

    /// `text` with every password this conninfo or URL spells masked, read from its text: for when libpq
    /// cannot parse it (and may quote it back, a URL whole or a bad `%` token of its password).
    static func redact(_ text: String, unparsed conninfo: String) -> String {
        var result = redact(text, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        let patterns = [
            #"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*?:([^/?#]*)@"#,  // scheme://user:password@host
            #"password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]+)"#,  // password=… in key/value form
            #"[?&]password=([^&#]*)"#,  // a URL's ?password=…
        ]
        for pattern in patterns {
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            let whole = NSRange(conninfo.startIndex..., in: conninfo)
            for match in expression.matches(in: conninfo, range: whole) {
                guard let range = Range(match.range(at: 1), in: conninfo), !range.isEmpty else { continue }
                var secret = String(conninfo[range])
                if secret.hasPrefix("'"), secret.hasSuffix("'"), secret.count >= 2 { secret = String(secret.dropFirst().dropLast()) }
                result = redact(result, password: secret)
                if let decoded = secret.removingPercentEncoding { result = redact(result, password: decoded) }
            }
        }
        return result
    }

    /// Throws `.invalidConnectionString` when libpq cannot read the conninfo or URL, in its own words (any
    /// password masked): with it, libpq would report the defaults it fell back to, not the mistake.
    public func validate() throws {
        guard let reason = parseError else { return }
        throw PostgresError(
            code: .invalidConnectionString,
            message: "the database URL or conninfo (--database-url, DATABASE_URL) cannot be read: "
                + Self.redact(reason, unparsed: conninfo))
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
