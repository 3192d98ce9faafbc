import Foundation

/// A statement and its parameters, written with values inline but sent with every value bound.
///
/// ```swift
/// let query: PostgresQuery = "SELECT title FROM pledge WHERE public_id = \(id) AND announced <= \(date)"
/// // sql:   SELECT title FROM pledge WHERE public_id = $1 AND announced <= $2
/// // binds: [id, date]
/// ```
/// Interpolating a value always appends a `$n` placeholder and a bind; there is no interpolation that
/// pastes a value into the text. Identifiers that must vary come from a fixed allow-list through
/// `PostgresIdentifier`, and the only raw-text escape hatch is the loudly named `init(unsafeSQL:)`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$n` placeholders.
    public private(set) var sql: String
    /// The parameters, in placeholder order.
    public private(set) var bindings: PostgresBindings

    public init(stringLiteral value: StaticString) {
        sql = value.description
        bindings = PostgresBindings()
    }

    /// The parts of a statement written by interpolation (values and fragments: `PostgresFragment`),
    /// numbered in order: each value appends `$n` and a bind.
    public init(stringInterpolation: PostgresFragment.StringInterpolation) {
        sql = ""
        bindings = PostgresBindings()
        for part in stringInterpolation.parts {
            switch part {
            case .text(let text): sql += text
            case .value(let text, let typeOID):
                bindings.append(text: text, typeOID: typeOID)
                sql += "$\(bindings.count)"
            }
        }
    }

    /// Statement text from a non-literal string. The name says what reviewers must check: that no
    /// value ever reaches `sql` this way.
    public init(unsafeSQL sql: String, bindings: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.bindings = bindings
    }

    /// The statement text only; parameters stay out of logs.
    public var description: String { sql }
}

/// An SQL identifier chosen from a fixed set of names known at compile time.
public struct PostgresIdentifier: Sendable, Hashable {
    /// The identifier in double quotes, with embedded quotes doubled.
    public let quoted: String

    /// Only static strings, so no run-time input can become an identifier.
    public init(_ name: StaticString) {
        quoted = "\"" + name.description.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The entry of `allowed` equal to `name`, or `nil`: the way a run-time choice becomes an identifier.
    public static func choose(_ name: String, from allowed: [PostgresIdentifier]) -> PostgresIdentifier? {
        allowed.first { $0.quoted == "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    }
}

/// Parameter values with their type OIDs, ready for `PQexecParams`.
public struct PostgresBindings: Sendable {
    /// Text-format values; `nil` is NULL.
    public private(set) var values: [String?] = []
    /// The type OID of each value (0: inferred by the server).
    public private(set) var typeOIDs: [UInt32] = []

    public init() {}

    public var count: Int { values.count }

    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        append(text: value.postgresText, typeOID: Value.postgresTypeOID)
    }

    /// A value already in its text form (`nil`: NULL).
    mutating func append(text: String?, typeOID: UInt32) {
        values.append(text)
        typeOIDs.append(typeOID)
    }
}
