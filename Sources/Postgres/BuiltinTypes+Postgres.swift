import Foundation

// Text-format conformances for the standard library's and Foundation's scalar types.

extension String: PostgresCodable {
    /// Unspecified, so a string parameter can stand wherever the server expects a literal.
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.unspecified }
    public var postgresText: String? { self }
    public init?(postgresText: String) { self = postgresText }
}

extension Bool: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.bool }
    public var postgresText: String? { self ? "t" : "f" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Int: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}

extension Int64: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}

extension Int32: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int4 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}

extension Int16: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int2 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}

extension Double: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.float8 }
    /// Swift's shortest round-tripping representation; float8 parses it back exactly.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Decimal: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.numeric }
    /// `Decimal.description` is locale-independent and exact.
    public var postgresText: String? { isNaN ? "NaN" : description }
    public init?(postgresText: String) {
        guard let value = Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX")),
            !value.isNaN || postgresText == "NaN"
        else { return nil }
        self = value
    }
}

extension UUID: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.uuid }
    public var postgresText: String? { uuidString.lowercased() }
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

extension Date: PostgresCodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.timestamptz }
    /// UTC, microsecond precision (timestamptz's own).
    public var postgresText: String? { TimestampText.format(self) }
    public init?(postgresText: String) {
        guard let date = TimestampText.parse(postgresText) else { return nil }
        self = date
    }
}
