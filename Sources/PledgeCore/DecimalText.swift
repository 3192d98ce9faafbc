import Foundation

extension Decimal {
    /// Exactly `description` (the shortest plain decimal text: no exponent, no trailing fractional zeros,
    /// `-` for negatives), written from the integer significand when it converts to a `UInt64` exactly and
    /// the exponent lies within ±18 — several times faster than `description`, which a dashboard would call
    /// once per timeline point. Anything else (NaN, a longer significand) is `description` itself.
    public var plainText: String {
        guard let parts = smallParts else { return description }
        return String(unsafeUninitializedCapacity: Self.plainCapacity) { Self.writePlain(parts, into: $0) }
    }

    /// Appends `plainText`'s UTF-8 bytes to `bytes` without making the string.
    public func appendPlainText(to bytes: inout [UInt8]) {
        guard let parts = smallParts else { return bytes.append(contentsOf: description.utf8) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.plainCapacity) { buffer in
            bytes.append(contentsOf: buffer[..<Self.writePlain(parts, into: buffer)])
        }
    }

    /// The sign, the significand's magnitude and the exponent, when the significand converts to a `UInt64`
    /// exactly and the exponent lies within ±18.
    private var smallParts: (negative: Bool, magnitude: UInt64, exponent: Int)? {
        guard isFinite, exponent > -19, exponent < 19 else { return nil }
        let magnitude = self.significand.magnitude
        // A whole number below 2^53 comes out of `doubleValue` exactly: it adds the significand's 16-bit
        // words in a `Double`, and every partial sum is a whole number below 2^53 too. No object is made,
        // unlike `NSDecimalNumber`, which reads the significand through a `Double` as well (on Linux) and
        // was most of a timeline point's rendering.
        let double = magnitude.doubleValue
        if double < 9_007_199_254_740_992 { return (isSignMinus, UInt64(double), exponent) }
        // Larger: exact only when a `Double` holds it exactly.
        let integer = NSDecimalNumber(decimal: magnitude).uint64Value
        guard Decimal(integer) == magnitude else { return nil }
        return (isSignMinus, integer, exponent)
    }

    /// Room for the longest text: a sign, 20 digits and 18 zeros (39 bytes), or a sign, "0.", 17 zeros and
    /// one digit.
    private static let plainCapacity = 48

    /// Writes the plain text of `parts` into `buffer`; returns how many bytes.
    private static func writePlain(
        _ parts: (negative: Bool, magnitude: UInt64, exponent: Int), into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        let zero = UInt8(ascii: "0")
        guard parts.magnitude != 0 else {
            buffer[0] = zero
            return 1
        }
        // The significand's digits, most significant first, at the end of a scratch area of 20.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = parts.magnitude
            var start = 20
            while remaining > 0 {
                start -= 1
                scratch[start] = zero + UInt8(remaining % 10)
                remaining /= 10
            }
            let count = 20 - start
            var length = 0
            func put(_ byte: UInt8) {
                buffer[length] = byte
                length += 1
            }
            if parts.negative { put(UInt8(ascii: "-")) }
            if parts.exponent >= 0 {
                for index in start..<20 { put(scratch[index]) }
                for _ in 0..<parts.exponent { put(zero) }
                return length
            }
            let places = -parts.exponent
            if count <= places {
                put(zero)
                put(UInt8(ascii: "."))
                for _ in 0..<(places - count) { put(zero) }
                for index in start..<20 { put(scratch[index]) }
            } else {
                for index in start..<(20 - places) { put(scratch[index]) }
                put(UInt8(ascii: "."))
                for index in (20 - places)..<20 { put(scratch[index]) }
            }
            // No trailing fractional zeros, and no point without a fraction (a compact `Decimal` has none to
            // strip: `Decimal(sign:exponent:significand:)` and arithmetic compact; kept for one that is not).
            while buffer[length - 1] == zero { length -= 1 }
            if buffer[length - 1] == UInt8(ascii: ".") { length -= 1 }
            return length
        }
    }
}

extension Decimal {
    /// The decimal `text` spells — an optional `-`, digits, and optionally a point followed by digits — built
    /// exactly from its digits; nil for anything else, for more than the 38 significant digits a `Decimal`
    /// holds (trailing zeros are not significant: they go into the exponent), or for an exponent beyond
    /// its −128…127. `Decimal(string:locale:)` reads the same text but first asks the locale for its decimal
    /// separator, which loads ICU's number formats: 1.3 ms of every `delivery record` before this.
    public init?(plainText text: some StringProtocol) {
        var bytes = text.utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var significand = Decimal(0)
        var chunk: UInt64 = 0
        var chunkDigits = 0
        var significantDigits = 0
        /// Zeros after the first significant digit that no other digit has followed yet.
        var pendingZeros = 0
        var sawDigit = false
        var point = false
        var fractionDigits = 0
        func flush() {
            significand = significand * Decimal(sign: .plus, exponent: chunkDigits, significand: 1) + Decimal(chunk)
            chunk = 0
            chunkDigits = 0
        }
        func append(_ digit: UInt8) -> Bool {
            significantDigits += 1
            guard significantDigits <= 38 else { return false }
            chunk = chunk * 10 + UInt64(digit)
            chunkDigits += 1
            if chunkDigits == 18 { flush() }
            return true
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                if point { fractionDigits += 1 }
                if byte == UInt8(ascii: "0") {
                    if significantDigits > 0 { pendingZeros += 1 }
                    continue
                }
                for _ in 0..<pendingZeros { guard append(0) else { return nil } }
                pendingZeros = 0
                guard append(byte - UInt8(ascii: "0")) else { return nil }
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
        if significand.isZero {
            self = 0
            return
        }
        let exponent = pendingZeros - fractionDigits
        guard (-128...127).contains(exponent) else { return nil }
        self.init(sign: negative ? .minus : .plus, exponent: exponent, significand: significand)
    }
}
