import Foundation

extension Decimal {
    /// Exactly `description` (the shortest plain decimal text: no exponent, no trailing fractional zeros,
    /// `-` for negatives), computed from the integer significand when it fits in 64 bits — about ten times
    /// faster than `description`, which a dashboard calls once per timeline point. Anything else (NaN, 19+
    /// significant digits) falls back to `description` itself.
    public var plainText: String {
        guard isFinite, exponent > -19, exponent < 19 else { return description }
        let significand = NSDecimalNumber(decimal: self.significand.magnitude).int64Value
        guard Decimal(significand) == self.significand.magnitude else { return description }
        if significand == 0 { return "0" }
        var digits = String(significand)
        if exponent >= 0 {
            digits += String(repeating: "0", count: exponent)
        } else {
            let places = -exponent
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
            while digits.last == "0" { digits.removeLast() }
            if digits.last == "." { digits.removeLast() }
        }
        return isSignMinus ? "-" + digits : digits
    }
}

extension Decimal {
    /// The decimal `text` spells — an optional `-`, digits, and optionally a point followed by digits — built
    /// exactly from its digits; nil for anything else, or for more than the 38 significant digits a `Decimal`
    /// holds. `Decimal(string:locale:)` reads the same text but first asks the locale for its decimal
    /// separator, which loads ICU's number formats: 1.5 ms of every `delivery record` before this.
    public init?(plainText text: some StringProtocol) {
        var bytes = text.utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var significand = Decimal(0)
        var chunk: UInt64 = 0
        var chunkDigits = 0
        var significantDigits = 0
        var sawDigit = false
        var point = false
        var fractionDigits = 0
        func flush() {
            significand = significand * Decimal(sign: .plus, exponent: chunkDigits, significand: 1) + Decimal(chunk)
            chunk = 0
            chunkDigits = 0
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                if point { fractionDigits += 1 }
                guard significantDigits > 0 || byte != UInt8(ascii: "0") else { continue }
                significantDigits += 1
                guard significantDigits <= 38 else { return nil }
                chunk = chunk * 10 + UInt64(byte - UInt8(ascii: "0"))
                chunkDigits += 1
                if chunkDigits == 18 { flush() }
            case UInt8(ascii: "."):
                guard !point, sawDigit else { return nil }
                point = true
                sawDigit = false
            default:
                return nil
            }
        }
        guard sawDigit else { return nil }
        flush()
        self.init(sign: negative && !significand.isZero ? .minus : .plus, exponent: -fractionDigits, significand: significand)
    }
}
