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
        if let plain = Self.plain(postgresText) {
            self = plain
            return
        }
        guard let value = Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX")),
            !value.isNaN || postgresText == "NaN"
        else { return nil }
        self = value
    }
}

extension Decimal {
    /// The common case of numeric text — an optional minus, at most 18 digits, an optional point — read
    /// without the general parser (the ledger's sums and timelines decode thousands of these).
    static func plain(_ text: String) -> Decimal? {
        var text = text
        return text.withUTF8 { plain(utf8: $0) }
    }

    /// Numeric text from its UTF-8 bytes (an element of an array's text, say): the common case read
    /// directly, anything else (an exponent, more digits, `NaN`) by the general parser.
    public init?(postgresUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let value = Self.plain(utf8: bytes) ?? Decimal(postgresText: String(decoding: bytes, as: UTF8.self)) else { return nil }
        self = value
    }

    static func plain(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Decimal? {
        guard let (mantissa, fraction, negative) = plainParts(utf8: bytes) else { return nil }
        return Decimal(sign: negative && mantissa != 0 ? .minus : .plus, exponent: -fraction, significand: Decimal(mantissa))
    }

    /// The common case of numeric text taken apart: its digits as an integer, how many of them follow the
    /// point, and its sign; nil for anything else (an exponent, 19 or more digits, `NaN`).
    public static func plainParts(utf8 bytes: UnsafeBufferPointer<UInt8>) -> (mantissa: UInt64, fraction: Int, negative: Bool)? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var point = false
        var negative = false
        var first = true
        for byte in bytes {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                guard digits <= 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                if point { fraction += 1 }
            case UInt8(ascii: "."):
                guard !point else { return nil }
                point = true
            case UInt8(ascii: "-"):
                guard first else { return nil }
                negative = true
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        return (mantissa, fraction, negative)
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
