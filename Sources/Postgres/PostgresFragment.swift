import Foundation

/// A piece of a statement written like a `PostgresQuery` — every value bound, never pasted into the text —
/// to be interpolated into one: its placeholders are numbered where it lands, after the binds before it.
/// So a subquery can be written once and used by several statements.
///
/// ```swift
/// let recent: PostgresFragment = "SELECT id FROM delivery WHERE delivered_on >= \(since)"
/// let query: PostgresQuery = "SELECT count(*) FROM pledge WHERE public_id = \(id) AND id IN (\(recent))"
/// // sql:   SELECT count(*) FROM pledge WHERE public_id = $1 AND id IN (SELECT id FROM delivery WHERE delivered_on >= $2)
/// // binds: [id, since]
/// ```
public struct PostgresFragment: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        /// A bound value's text (`nil`: NULL) and type OID.
        case value(String?, UInt32)
    }

    var parts: [Part]

    public init(stringLiteral value: StaticString) {
        parts = [.text(value.description)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// What a fragment or a `PostgresQuery` is written with: literal text, bound values, identifiers
    /// from an allow-list, and other fragments.
    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(2 * interpolationCount + 1)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            parts.append(.text(literal.description))
        }

        /// A bound value.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            parts.append(.value(value.postgresText, type(of: value).postgresTypeOID))
        }

        /// An optional bound value: `nil` binds SQL NULL (with the wrapped type's OID).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            parts.append(.value(value.postgresText, Value?.postgresTypeOID))
        }

        /// An identifier from an allow-list, quoted.
        public mutating func appendInterpolation(_ identifier: PostgresIdentifier) {
            parts.append(.text(identifier.quoted))
        }

        /// Another fragment, its values still to be bound.
        public mutating func appendInterpolation(_ fragment: PostgresFragment) {
            parts += fragment.parts
        }
    }
}
