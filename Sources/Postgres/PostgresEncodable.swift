import Foundation

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format.
///
/// Values only ever travel as parameters (`$1`, `$2`, …) of `PQexecParams`; nothing in this module
/// writes a value into SQL text.
public protocol PostgresEncodable: Sendable {
    /// The parameter's type OID, or 0 to let the server infer it from context.
    static var postgresTypeOID: UInt32 { get }
    /// The text-format representation; `nil` binds SQL NULL.
    var postgresText: String? { get }
}

/// A value that can be built from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Parses the server's text; `nil` when the text is not a valid value of this type.
    init?(postgresText: String)
    /// The value that SQL NULL decodes to; `nil` (the default) makes NULL a decoding error.
    static var decodedNull: Self? { get }
}

extension PostgresDecodable {
    public static var decodedNull: Self? { nil }
}

/// Both directions.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// Well-known type OIDs (`pg_type.oid`).
public enum PostgresTypeOID {
    public static let unspecified: UInt32 = 0
    public static let bool: UInt32 = 16
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let float8: UInt32 = 701
    public static let date: UInt32 = 1082
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { Wrapped.postgresTypeOID }
    public var postgresText: String? { self?.postgresText }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText: String) {
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }
    public static var decodedNull: Self? { .some(.none) }
}
