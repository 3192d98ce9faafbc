import Foundation

/// Exact quantities: parsing user input into `Decimal` without ever passing through `Double`.
public enum Quantity {
    /// The most digits a quantity may have before the decimal point (10^24 leaves room for any pledge).
    public static let maxIntegerDigits = 24

    /// Parses `text` as a positive decimal with at most `scale` decimal places.
    /// Accepts `1000000`, `1000000.50`, and digit groups with underscores or commas (`1,000,000`).
    public static func parsePositive(_ text: String, field: String, scale: Int) throws(InputError) -> Decimal {
        let value = try parse(text, field: field, scale: scale)
        guard value > 0 else {
            throw .invalid(field: field, value: text, expected: "a quantity greater than zero")
        }
        return value
    }

    /// Parses a non-negative decimal with at most `scale` decimal places.
    public static func parse(_ text: String, field: String, scale: Int) throws(InputError) -> Decimal {
        let trimmed = text.trimmedOfWhitespace
        // A comma that does not group thousands is most likely a decimal comma: `1250,50` must not become 125050.
        guard commasGroupThousands(trimmed) else {
            throw .invalid(field: field, value: text, expected: "a decimal number such as 300000 or 1250.50 (commas only between groups of three digits)")
        }
        let cleaned = trimmed.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (1...2).contains(parts.count), isDigits(parts[0]), parts.count == 1 || isDigits(parts[1]) else {
            if cleaned.hasPrefix("-") {
                throw .invalid(field: field, value: text, expected: "a quantity greater than zero (corrections are their own command)")
            }
            throw .invalid(field: field, value: text, expected: "a decimal number such as 300000 or 1250.50")
        }
        let integerDigits = parts[0].drop { $0 == "0" }.count
        guard integerDigits <= maxIntegerDigits else {
            throw .invalid(field: field, value: text, expected: "at most \(maxIntegerDigits) digits before the decimal point")
        }
        let decimals = parts.count == 2 ? parts[1].count : 0
        guard decimals <= scale else {
            throw .invalid(
                field: field, value: text,
                expected: scale == 0 ? "a whole number for this unit" : "at most \(scale) decimal places for this unit")
        }
        guard let value = Decimal(plainText: cleaned) else {
            throw .invalid(field: field, value: text, expected: "a decimal number")
        }
        return value
    }

    /// The plain decimal text (`1000000.50`) of a quantity as an import file may write it — digits, `_`
    /// anywhere, `,` only between groups of three digits, an optional fraction, at most 24 integer digits —
    /// or nil. Signs, exponents and decimal commas are refused. (The import checks the scale against the
    /// pledge's unit afterwards, in the database.)
    public static func plainText(_ text: String) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        var integerDigits = 0
        var groupDigits = 0  // digits since the last comma (or the start)
        var commas = 0
        var sawPoint = false
        var fractionDigits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawPoint {
                    fractionDigits += 1
                } else {
                    integerDigits += 1
                    groupDigits += 1
                }
                digits.append(byte)
            case UInt8(ascii: ","):
                // A comma closes a group: the first of 1–3 digits, every later one of exactly 3.
                guard !sawPoint, commas == 0 ? (1...3).contains(groupDigits) : groupDigits == 3 else { return nil }
                commas += 1
                groupDigits = 0
            case UInt8(ascii: "."):
                guard !sawPoint, integerDigits > 0, commas == 0 || groupDigits == 3 else { return nil }
                sawPoint = true
                digits.append(byte)
            default:
                return nil
            }
        }
        guard integerDigits > 0, !sawPoint || fractionDigits > 0 else { return nil }
        if commas > 0 {
            guard commas <= 7, sawPoint || groupDigits == 3 else { return nil }
        } else {
            guard integerDigits <= maxIntegerDigits else { return nil }
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// True when `text` has no comma, or its commas all sit in the integer part between groups of three
    /// (`1,000,000.50`); digits themselves are checked afterwards.
    static func commasGroupThousands(_ text: String) -> Bool {
        guard text.contains(",") else { return true }
        let integerPart = text.prefix { $0 != "." }
        guard !text[integerPart.endIndex...].contains(",") else { return false }
        let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
        let leading = groups[0].drop { $0 == "-" }
        return (1...3).contains(leading.count) && groups.dropFirst().allSatisfy { $0.count == 3 }
    }

    /// Plain decimal text, no grouping, no exponent: what JSON exports and tables show.
    public static func text(_ value: Decimal) -> String { value.description }
}
