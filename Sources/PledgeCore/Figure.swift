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
}
