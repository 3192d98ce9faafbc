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
    /// from the digits the summary's figures are made of (`AssessmentSummary.printfDigits`).
    /// `String(format:)` took over 1 % of an evaluation's CPU for the percentages in every status reason
    /// and alert text. printf itself answers for what those digits do not cover.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard let parts = AssessmentSummary.printfDigits(value, places: places) else { return String(format: "%.\(places)f", value) }
        var text: [UInt8] = value.sign == .minus ? [UInt8(ascii: "-")] : []
        text.append(contentsOf: parts.whole)
        if places > 0 {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: parts.fraction)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
