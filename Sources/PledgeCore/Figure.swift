/// A projected figure as people read it: rounded to a whole number with thousands separators
/// (1,000,000). Values too large for a whole-number rendering (above 9×10^18, beyond a 64-bit integer) are
/// shown in scientific notation rather than trapping; infinities and NaN as "n/a".
public enum Figure {
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        guard abs(value) < 9e18 else { return String(format: "%.3e", value) }
        let rounded = Int64(value.rounded())
        var digits = String(rounded.magnitude)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return (rounded < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// `String(format: "%.Nf", value)` for `places` N of 0 to 17: the same text (the binary value's exact
    /// expansion rounded to nearest, ties to even; printf's trailing zeros and sign, "-0.0" included),
    /// from the same digits as the summary's figures (`printfDigits`).
    /// `String(format:)` took over 1 % of an evaluation's CPU for the percentages in every status reason
    /// and alert text. printf itself answers for what those digits do not cover.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard let parts = printfDigits(value, places: places) else { return String(format: "%.\(places)f", value) }
        var text: [UInt8] = value.sign == .minus ? [UInt8(ascii: "-")] : []
        text.append(contentsOf: parts.whole)
        if places > 0 {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: parts.fraction)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The digits `printf`'s `%.Nf` writes for `value` (its sign only counts towards the length), `places` N
    /// of 0 to 17, computed exactly (`scaledUnits`): the whole part (at least one digit) and all N fraction
    /// digits, and whether they are all zero. nil for what is left to slower ways: a value that is not
    /// finite, other places, and figures of 30 characters or more as printf would write them (beyond what
    /// `Decimal` holds).
    static func printfDigits(_ value: Double, places: Int) -> (whole: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>, zero: Bool)? {
        guard value.isFinite, (0...17).contains(places), let units = scaledUnits(value.magnitude, scale: places) else { return nil }
        var digits = Array(String(units).utf8)
        let integerDigits = max(1, digits.count - places)
        guard (value.sign == .minus ? 1 : 0) + integerDigits + (places > 0 ? places + 1 : 0) <= 30 else { return nil }
        if digits.count <= places {
            digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: places + 1 - digits.count), at: 0)
        }
        return (digits[..<(digits.count - places)], digits[(digits.count - places)...], units == 0)
    }

    /// `magnitude`·10^`scale` rounded to the nearest whole number, ties to even; nil when it would not
    /// fit in 128 bits.
    static func scaledUnits(_ magnitude: Double, scale: Int) -> UInt128? {
        guard magnitude != 0 else { return 0 }
        let bits = magnitude.significandBitPattern
        let (significand, exponent) = magnitude.isSubnormal
            ? (UInt128(bits), -1074)
            : (UInt128(bits | (1 << 52)), Int(magnitude.exponent) - 52)
        var power: UInt128 = 1
        for _ in 0..<scale { power *= 10 }
        let product = significand * power  // below 2^53 · 10^17 < 2^110
        if exponent >= 0 { return exponent < 128 - 110 ? product << exponent : nil }
        let shift = -exponent
        guard shift < 111 else { return 0 }  // below one half
        let quotient = product >> shift
        let remainder = product & ((1 << UInt128(shift)) - 1)
        let half = UInt128(1) << (shift - 1)
        return remainder > half || (remainder == half && quotient & 1 == 1) ? quotient + 1 : quotient
    }
}
