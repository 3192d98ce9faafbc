import Foundation

/// Seeded random field values for property tests of JSON handling (SplitMix64, so a failing case is
/// reproduced from its seed): strings of characters JSON writes raw, escapes by name, escapes as \u, or keeps
/// as multi-byte UTF-8; missing optionals; doubles of every form.
public struct RandomValues {
    public static let characters: [Character] = [
        "a", "0", "-", ".", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "🇺🇦", "A", "Z", "_", "b", "1",
    ]

    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    public mutating func chance() -> Bool { next() & 1 == 0 }

    public mutating func string() -> String {
        String((0..<below(8)).map { _ in Self.characters[below(Self.characters.count)] })
    }

    /// A string or JSON null.
    public mutating func optionalString() -> Any { chance() ? string() : NSNull() }
    public mutating func strings() -> [String] { (0..<below(4)).map { _ in string() } }

    public mutating func dictionary() -> [String: String] {
        Dictionary((0..<below(5)).map { _ in (string(), string()) }, uniquingKeysWith: { first, _ in first })
    }

    public mutating func int() -> Int { [0, -1, 7, 1_000_000, Int(Int32.max)][below(5)] &+ below(1_000) }

    /// JSON null, a rounded probability, whole numbers, tiny and huge magnitudes, or any finite bit pattern.
    public mutating func double() -> Any {
        switch below(6) {
        case 0: return NSNull()
        case 1: return Double(below(10_001)) / 10_000
        case 2: return Double(below(1_000)) - 500
        case 3: return [1e-05, 1e-7, 1e16, 1.5e300, 4.0412, 0.06, -0.0][below(7)]
        default:
            let value = Double(bitPattern: next())
            return value.isFinite ? value : 0.5
        }
    }

    /// An assessment summary's fields as JSON objects (for `JSONSerialization`), every one random.
    public mutating func assessmentJSON() -> [String: Any] {
        [
            "pledge": string(), "asOf": string(), "status": string(), "statusReason": string(), "target": string(),
            "deadline": string(), "delivered": string(), "remaining": string(), "percent": string(), "daysLeft": int(),
            "requiredRatePerDay": optionalString(), "observedRatePerDay": string(), "paceRatio": double(),
            "projectedTotalAtDeadline": ["p10": string(), "p50": string(), "p90": string()], "shortfall": string(),
            "probabilityOnTime": double(), "completion": ["p10": optionalString(), "p50": optionalString(), "p90": optionalString()],
            "method": string(), "alternatives": dictionary(), "observations": int(), "spanDays": int(), "grade": string(),
            "gradeReasons": strings(),
        ]
    }
}
